var data = JSON.parse(request.body);
if (!data.summary) {
    return;
}
console.log("Summary: " + data.summary "!");
