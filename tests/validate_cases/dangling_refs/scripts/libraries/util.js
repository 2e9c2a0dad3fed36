exports.post = function (path, body) {
    var req = http.request({ 'endpoint': 'Ticketing', 'method': 'POST', 'path': path });
    return req.write(body);
};
