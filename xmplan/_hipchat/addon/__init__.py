"""The xMatters Connect add-on for HipChat: install, configure, look up and Send Invite, for many installations."""
