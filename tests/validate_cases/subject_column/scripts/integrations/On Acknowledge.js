var tickets = require('tickets');
var callback = JSON.parse(request.body);
tickets.update(callback.eventProperties.Summary, 'Acknowledged by ' + callback.recipient);
