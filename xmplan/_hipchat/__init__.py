"""HipChat Connect: the add-on descriptor for the Invite to Room plan."""
