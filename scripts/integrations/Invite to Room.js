/*
 * Invite to Room (inbound, Basic authentication): the HipChat add-on posts an invitation here when a
 * user clicks "Send Invite" in the "xMatters Invite To Room" dialog. A good invitation becomes an
 * event on the "Invite to Room" form; a bad one creates nothing and the reason goes to the Activity
 * log. The payload is described in docs/hipchat.md.
 */
var payload = require('Invite Payload');

var checked = payload.parse(request.body, constants['HipChat URL']);
if (checked.errors.length > 0) {
    console.error('Invite to Room: invitation rejected, no event created: ' + checked.errors.join('; '));
} else {
    var invitation = payload.toEvent(checked.invite);
    trigger.properties = invitation.properties;
    trigger.recipients = invitation.recipients;
    var created = form.post(trigger);
    var status = created ? Number(created.statusCode) : 0;
    if (status >= 200 && status < 300) {
        console.log('Invite to Room: event created for room ' + JSON.stringify(invitation.properties['Room Name']) +
            ' with ' + invitation.recipients.length + ' recipient(s)');
    } else {
        var detail = '';
        try {
            detail = JSON.parse(created.body).message || '';
        } catch (e) {
            detail = created && created.body ? String(created.body).substring(0, 200) : '';
        }
        console.error('Invite to Room: xMatters did not create the event (HTTP ' + status + ')' +
            (detail ? ': ' + detail : ''));
    }
}
