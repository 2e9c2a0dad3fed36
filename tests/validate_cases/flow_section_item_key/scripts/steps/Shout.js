output['loud'] = input['text'].toUpperCase() + '!';
