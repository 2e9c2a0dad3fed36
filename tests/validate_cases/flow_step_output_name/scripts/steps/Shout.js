output['Loud'] = input['text'].toUpperCase() + '!';
