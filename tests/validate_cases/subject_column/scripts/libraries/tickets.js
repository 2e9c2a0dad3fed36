exports.update = function (id, text) {
    var req = http.request({ 'endpoint': 'Tickets', 'method': 'PUT', 'path': '/tickets/' + id + '?queue=' + constants.Queue });
    return req.write({ note: text });
};
