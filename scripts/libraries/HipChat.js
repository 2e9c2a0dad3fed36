/*
 * HipChat: posts room notifications through the HipChat REST API v2, via the "HipChat" endpoint and
 * the "HipChat Token" constant. Never throws: every outcome comes back as {ok, status, reason}, so a
 * HipChat outage cannot fail the integration that calls it. The token is never logged.
 *
 *   var hipchat = require('HipChat');
 *   var sent = hipchat.notifyRoom('1234', '<b>Hello</b>', 'green');
 *   if (!sent.ok) { console.error(sent.reason); }
 */

var ENDPOINT = 'HipChat';
var TOKEN_CONSTANT = 'HipChat Token';
var MAX_MESSAGE = 10000;   // HipChat refuses longer room notifications

var STATUS_REASONS = {
    400: 'HipChat rejected the notification as malformed',
    401: 'HipChat refused the token: check the "HipChat Token" constant (a token with the send_notification scope)',
    403: 'the HipChat token may not post to this room',
    404: 'HipChat has no such room (or the "HipChat" endpoint does not point at HipChat)',
    429: 'HipChat rate limit reached; the notification was not posted'
};

var HTML_ENTITIES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};

/* Text from users made safe to put inside an HTML room notification. */
exports.escapeHtml = function (text) {
    return String(text === null || text === undefined ? '' : text).replace(/[&<>"']/g, function (c) {
        return HTML_ENTITIES[c];
    });
};

/* What HipChat said in its error body ({"error": {"message": ...}}), if anything, kept short. */
function hipchatMessage(body) {
    try {
        var parsed = typeof body === 'string' ? JSON.parse(body) : body;
        var message = parsed && parsed.error && parsed.error.message;
        if (message) {
            message = String(message).replace(/\s+/g, ' ');
            return message.length > 200 ? message.substring(0, 197) + '...' : message;
        }
    } catch (e) {
        // not JSON: the status alone tells the story
    }
    return '';
}

function describeStatus(status, body) {
    var reason = STATUS_REASONS[status];
    if (!reason) {
        reason = status >= 500 ? 'HipChat had a server error' : 'HipChat answered with an unexpected status';
    }
    var detail = hipchatMessage(body);
    return reason + ' (HTTP ' + status + (detail ? ': ' + detail : '') + ')';
}

function token() {
    var value = constants[TOKEN_CONSTANT];
    return value === undefined || value === null ? '' : String(value).trim();
}

/* Post `html` to room `roomId` (id or name); color is yellow, green, red, purple, gray or random. */
exports.notifyRoom = function (roomId, html, color) {
    var bearer = token();
    if (bearer === '') {
        return {ok: false, status: null,
            reason: 'the "HipChat Token" constant is blank: fill it in (Workflows > this plan > Integration Builder > Constants)'};
    }
    if (html.length > MAX_MESSAGE) {
        html = html.substring(0, MAX_MESSAGE - 3) + '...';
    }
    var answer;
    try {
        var post = http.request({
            endpoint: ENDPOINT,
            path: '/v2/room/' + encodeURIComponent(String(roomId)) + '/notification',
            method: 'POST',
            autoEncodeURI: false,
            headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + bearer}
        });
        answer = post.write({message: html, message_format: 'html', color: color || 'yellow', notify: true});
    } catch (e) {
        return {ok: false, status: null,
            reason: 'could not reach HipChat (' + (e && e.message ? e.message : String(e)) + ')'};
    }
    var status = Number(answer.statusCode);
    if (status >= 200 && status < 300) {
        return {ok: true, status: status, reason: 'posted to HipChat room ' + roomId + ' (HTTP ' + status + ')'};
    }
    return {ok: false, status: status, reason: describeStatus(status, answer.body)};
};
