var alert = JSON.parse(request.body);
trigger.properties.Summary = alert.summary;
trigger.properties.Severity = alert.severity || 'Low';
form.post(trigger);
