var data = JSON.parse(request.body);
// Encoded once, autoEncodeURI at its default: xMatters keeps the escapes (no warning).
http.request({endpoint: 'xMatters', path: '/api/xm/1/groups/' + encodeURIComponent(data.group)}).write();
http.request({endpoint: 'xMatters', path: '/api/xm/1/events?propertyName=alarmid%23en&propertyValue=' + data.id}).write();
// autoEncodeURI off: each value must be encoded by the script.
http.request({endpoint: 'xMatters', autoEncodeURI: false,
              path: '/api/xm/1/on-call?groups=' + data.group + '&membersPerShift=3'}).write();
http.request({endpoint: 'xMatters', autoEncodeURI: 'false',
              path: '/api/xm/1/events?propertyName=id%23en&propertyValue=' + encodeURIComponent(data.id)}).write();
function people(name) {
    var path = '/api/xm/1/people/' + name;
    return http.request({endpoint: 'xMatters', path: path, 'autoEncodeURI': false}).write();
}
// Encoded twice: %23 becomes %2523.
var property = encodeURIComponent('Task Rec ID%23en');
var twice = encodeURIComponent(encodeURIComponent(data.group));
