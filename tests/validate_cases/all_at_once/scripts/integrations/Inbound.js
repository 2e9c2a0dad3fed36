var data = JSON.parse(request.body);
console.log("Summary: " + data.summary "!");
require("Nowhere");
