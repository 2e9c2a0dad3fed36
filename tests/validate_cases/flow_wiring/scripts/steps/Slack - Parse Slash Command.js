parameters = request.parameters;

output['command'] = parameters['command'];
output['text'] = parameters['text'];
output['user_id'] = parameters['user_id'];
output['user_name'] = parameters['user_name'];
output['channel_name'] = parameters['channel_name'];
output['channel_id'] = parameters['channel_id'];
output['response_url'] = parameters['response_url'];
output['trigger_id'] = parameters['trigger_id'];
output['team_id'] = parameters['team_id'];
output['team_domain'] = parameters['team_domain'];
output['enterprise_name'] = parameters['enterprise_name'];