output['loud'] = input['txt'].toUpperCase() + '!';
