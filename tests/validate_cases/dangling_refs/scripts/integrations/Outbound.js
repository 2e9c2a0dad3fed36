var util = require('util');
var chat = require('chat-utils');
// require('My Shared Library') in a comment is not a reference
util.post('/tickets?queue=' + constants.Queue, callback.status);
var req = http.request({ 'endpoint': 'Chat', 'method': 'POST', 'path': '/rooms/' + constants['Room Id'] });
var options = { endpoint: "Pager", path: '/page', headers: {} };
var self = http.request({ endpoint: 'xMatters', path: '/api/xm/1/events', method: 'GET' });
console.log(constants.Region);
