var util = require("Nowhere");
util.run(request.body);
