var alert = JSON.parse(request.body);
trigger.properties.Summary = alert.summary;
trigger.properties.Severity = alert.severity || 'Low';
if (!alert.summary) {
    return;
}
form.post(trigger);
