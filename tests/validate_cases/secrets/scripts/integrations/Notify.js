var data = JSON.parse(request.body);
var ok = http.request({endpoint: 'Tickets', path: '/api/tickets', method: 'POST',
                       headers: {'Authorization': 'Bearer ' + constants['Ticket API key']}});
var session = http.request({endpoint: 'Tickets', path: '/api/session',
                            headers: {'Cookie': 'ZSESSIONID=_G0HXXXXXQ9yLnbnLP8sp9XXXXXTsEiOtWFD'}});
var sample = http.request({endpoint: 'Tickets', path: '/api/x', headers: {Authorization: 'Bearer [INSERT API KEY HERE]'}});
var req = http.request({endpoint: 'Tickets', path: '/api/y', headers: {}});
req.headers['X-API-Key'] = 'k7Fq2Lm9Zx41Pw8Rt3Yb';
var hook = 'https://hooks.slack.com/services/T0FAKE001/B0FAKE002/q1W2e3R4t5Y6u7I8o9P0aSdF';
var flow = 'https://prod-01.westus.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=2016-06-01&sig=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5';
