/*
 * Invite Payload: checks the JSON the HipChat add-on posts to "Invite to Room" and turns it into an
 * xMatters event. The rules match xmplan/schemas/invite-payload.schema.json and docs/hipchat.md.
 *
 *   var payload = require('Invite Payload');
 *   var checked = payload.parse(request.body, constants['HipChat URL']);
 *   // checked.errors: [] when the invitation is good, else one sentence per problem
 *   // checked.invite: the parsed invitation (only when there are no errors)
 */

var LIMITS = {
    body: 65536,        // characters in the whole request body
    message: 2000,      // the "Message" property holds at most 2000 characters
    recipients: 20,
    recipientId: 255,
    roomId: 100,
    name: 200,          // room name and inviter name
    mentionName: 50,
    url: 2000
};
var FIELDS = {
    top: ['room', 'recipients', 'message', 'invitedBy', 'hipchatUrl'],
    room: ['id', 'name', 'link'],
    recipient: ['id', 'type'],
    invitedBy: ['name', 'mentionName', 'id']
};
var RECIPIENT_TYPES = ['PERSON', 'GROUP'];
var URL_PATTERN = /^https?:\/\/[^\s\/?#]+(\/\S*)?$/i;

exports.LIMITS = LIMITS;

/* Characters as JSON Schema counts them: a surrogate pair is one character. */
function length(text) {
    return text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
}

/* A value quoted for a log line: JSON-escaped (no raw line breaks) and cut short. */
function quote(value) {
    var text = JSON.stringify(value);
    if (text === undefined) {
        text = String(value);
    }
    return text.length > 40 ? text.substring(0, 37) + '...' : text;
}

function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function unknownFields(object, allowed, where, errors) {
    var extra = Object.keys(object).filter(function (key) {
        return allowed.indexOf(key) < 0;
    }).sort();
    if (extra.length > 0) {
        errors.push(where + ' has unknown field' + (extra.length > 1 ? 's ' : ' ') +
            extra.map(quote).join(', ') + ' (allowed: ' + allowed.join(', ') + ')');
    }
}

function checkText(value, where, max, errors) {
    if (value === undefined) {
        errors.push(where + ' is missing');
    } else if (typeof value !== 'string') {
        errors.push(where + ' must be a string, got ' + quote(value));
    } else if (value.trim() === '') {
        errors.push(where + ' is empty');
    } else if (length(value) > max) {
        errors.push(where + ' is ' + length(value) + ' characters long; the limit is ' + max);
    } else {
        return true;
    }
    return false;
}

function checkUrl(value, where, errors) {
    if (checkText(value, where, LIMITS.url, errors) && !URL_PATTERN.test(value)) {
        errors.push(where + ' must be an http or https URL, got ' + quote(value));
    }
}

function checkId(value, where, max, errors) {
    if (typeof value === 'number') {
        if (value % 1 !== 0 || value < 1) {
            errors.push(where + ' must be a positive whole number or a string, got ' + quote(value));
        }
    } else {
        checkText(value, where, max, errors);
    }
}

function checkRoom(room, errors) {
    if (room === undefined) {
        errors.push('room is missing');
    } else if (!isObject(room)) {
        errors.push('room must be an object with id, name and link');
    } else {
        unknownFields(room, FIELDS.room, 'room', errors);
        checkId(room.id, 'room.id', LIMITS.roomId, errors);
        checkText(room.name, 'room.name', LIMITS.name, errors);
        checkUrl(room.link, 'room.link', errors);
    }
}

function checkRecipients(recipients, errors) {
    if (recipients === undefined) {
        errors.push('recipients is missing: name at least one xMatters user or group');
        return;
    }
    if (!Array.isArray(recipients)) {
        errors.push('recipients must be a list, got ' + quote(recipients));
        return;
    }
    if (recipients.length === 0) {
        errors.push('recipients is empty: name at least one xMatters user or group');
        return;
    }
    if (recipients.length > LIMITS.recipients) {
        errors.push('recipients has ' + recipients.length + ' entries; the limit is ' + LIMITS.recipients);
        return;
    }
    var seen = {};
    recipients.forEach(function (recipient, index) {
        var where = 'recipients[' + index + ']';
        if (!isObject(recipient)) {
            errors.push(where + ' must be an object with id and type, got ' + quote(recipient));
            return;
        }
        unknownFields(recipient, FIELDS.recipient, where, errors);
        checkText(recipient.id, where + '.id', LIMITS.recipientId, errors);
        if (RECIPIENT_TYPES.indexOf(recipient.type) < 0) {
            errors.push(where + '.type must be PERSON or GROUP, got ' + quote(recipient.type));
        }
        var key = recipient.type + '\n' + recipient.id;
        if (seen[key]) {
            errors.push(where + ' repeats ' + quote(recipient.id) + ' (' + recipient.type + ')');
        }
        seen[key] = true;
    });
}

function checkInvitedBy(invitedBy, errors) {
    if (invitedBy === undefined) {
        errors.push('invitedBy is missing');
    } else if (!isObject(invitedBy)) {
        errors.push('invitedBy must be an object with at least a name');
    } else {
        unknownFields(invitedBy, FIELDS.invitedBy, 'invitedBy', errors);
        checkText(invitedBy.name, 'invitedBy.name', LIMITS.name, errors);
        if (invitedBy.mentionName !== undefined) {
            checkText(invitedBy.mentionName, 'invitedBy.mentionName', LIMITS.mentionName, errors);
        }
        if (invitedBy.id !== undefined) {
            checkId(invitedBy.id, 'invitedBy.id', LIMITS.roomId, errors);
        }
    }
}

/* "https://HipChat.example.com/" and "https://hipchat.example.com" are the same HipChat. */
function sameSite(a, b) {
    var normal = function (url) {
        return String(url).trim().replace(/\/+$/, '').toLowerCase();
    };
    return normal(a) === normal(b);
}

exports.parse = function (body, expectedHipchatUrl) {
    var errors = [];
    if (typeof body !== 'string' || body.trim() === '') {
        return {invite: null, errors: ['the request has no body']};
    }
    if (body.length > LIMITS.body) {
        return {invite: null, errors: ['the body is ' + body.length + ' characters long; the limit is ' + LIMITS.body]};
    }
    var invite;
    try {
        invite = JSON.parse(body);
    } catch (e) {
        return {invite: null, errors: ['the body is not JSON (' + (e && e.message ? e.message : String(e)) + ')']};
    }
    if (!isObject(invite)) {
        return {invite: null, errors: ['the body must be a JSON object, got ' + quote(invite)]};
    }
    unknownFields(invite, FIELDS.top, 'the body', errors);
    checkRoom(invite.room, errors);
    checkRecipients(invite.recipients, errors);
    checkText(invite.message, 'message', LIMITS.message, errors);
    checkInvitedBy(invite.invitedBy, errors);
    checkUrl(invite.hipchatUrl, 'hipchatUrl', errors);
    if (errors.length === 0 && expectedHipchatUrl && !sameSite(invite.hipchatUrl, expectedHipchatUrl)) {
        errors.push('hipchatUrl ' + quote(invite.hipchatUrl) + ' is not the HipChat this plan answers to (' +
            quote(expectedHipchatUrl) + ', the "HipChat URL" constant)');
    }
    return {invite: errors.length === 0 ? invite : null, errors: errors};
};

/* The event for a checked invitation: form properties and new-format recipients. */
exports.toEvent = function (invite) {
    var inviter = invite.invitedBy.name.trim();
    if (invite.invitedBy.mentionName) {
        inviter += ' (@' + invite.invitedBy.mentionName.trim() + ')';
    }
    return {
        properties: {
            'Room ID': String(invite.room.id).trim(),
            'Room Name': invite.room.name.trim(),
            'Room Link': invite.room.link.trim(),
            'Message': invite.message.trim(),
            'Invited By': inviter
        },
        recipients: invite.recipients.map(function (recipient) {
            return {id: recipient.id.trim(), recipientType: recipient.type};
        })
    };
};
