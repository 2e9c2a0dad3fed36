/*
 * Post Response to Room (outbound, on every notification response of "Invite to Room"): tells the
 * HipChat room who answered the invitation, Accept or Decline, and their comment. HipChat errors are
 * logged with their reason; they never fail the integration.
 *
 * Works with both payload styles of outbound integrations: the trigger objects (event, respondedTo,
 * response) and the older JSON callback in request.body.
 */
var hipchat = require('HipChat');

var MAX_COMMENT = 1000;
var COLORS = {accept: 'green', decline: 'red'};

/* The legacy callback lists properties as [{"Room ID": "1"}, ...]; merge them into one object. */
function mergeProperties(list) {
    var merged = {};
    if (Array.isArray(list)) {
        list.forEach(function (pair) {
            Object.keys(pair || {}).forEach(function (key) {
                merged[key] = pair[key];
            });
        });
    } else if (list && typeof list === 'object') {
        merged = list;
    }
    return merged;
}

function blankToNull(text) {
    return text === undefined || text === null || String(text) === 'null' || String(text).trim() === '' ?
        null : String(text);
}

/* {eventId, properties, who, answer, comment} from whichever payload style this run got. */
function readAnswer() {
    if (typeof respondedTo !== 'undefined' && respondedTo && typeof event !== 'undefined' && event) {
        var by = respondedTo.by || {};
        var fullName = [by.firstName, by.lastName].filter(function (part) { return part; }).join(' ');
        var given = typeof response !== 'undefined' && response ? response : {};
        return {
            eventId: event.eventId,
            properties: mergeProperties(event.properties),
            who: fullName ? fullName + (by.targetName ? ' (' + by.targetName + ')' : '') : (by.targetName || 'Someone'),
            answer: given.response,
            comment: blankToNull(given.comment !== undefined ? given.comment : given.annotation)
        };
    }
    var callback = JSON.parse(request.body);
    return {
        eventId: callback.eventIdentifier,
        properties: mergeProperties(callback.eventProperties),
        who: callback.recipient || 'Someone',
        answer: callback.response,
        comment: blankToNull(callback.annotation)
    };
}

function roomMessage(reply) {
    var kind = String(reply.answer || '').toLowerCase();
    var verb = kind === 'accept' ? 'accepted' : kind === 'decline' ? 'declined' :
        'answered &quot;' + hipchat.escapeHtml(reply.answer) + '&quot; to';
    var html = '<b>' + hipchat.escapeHtml(reply.who) + '</b> ' + verb + ' the xMatters invitation to ' +
        hipchat.escapeHtml(reply.properties['Room Name'] || 'this room') +
        (reply.eventId ? ' (event ' + hipchat.escapeHtml(reply.eventId) + ')' : '') + '.';
    if (reply.comment) {
        var comment = reply.comment.length > MAX_COMMENT ? reply.comment.substring(0, MAX_COMMENT - 3) + '...' :
            reply.comment;
        html += '<br>Comment: <i>' + hipchat.escapeHtml(comment) + '</i>';
    }
    return {html: html, color: COLORS[kind] || 'yellow'};
}

var reply = null;
try {
    reply = readAnswer();
} catch (e) {
    console.error('Post Response to Room: could not read the response callback (' +
        (e && e.message ? e.message : String(e)) + ')');
}
if (reply) {
    var roomId = blankToNull(reply.properties['Room ID']);
    if (!roomId) {
        console.error('Post Response to Room: event ' + reply.eventId + ' has no "Room ID" property; ' +
            'nothing posted (is "Include in Outbound Integrations" set on it?)');
    } else {
        var message = roomMessage(reply);
        var sent = hipchat.notifyRoom(roomId, message.html, message.color);
        if (sent.ok) {
            console.log('Post Response to Room: ' + sent.reason);
        } else {
            console.error('Post Response to Room: response of ' + JSON.stringify(reply.who) + ' not posted to room ' +
                JSON.stringify(roomId) + ': ' + sent.reason);
        }
    }
}
