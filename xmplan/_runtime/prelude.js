// The Integration Builder built-ins, written in plain ES5 on top of one host function.
// Only JSON text crosses to the host, so every object a script sees is an ordinary JS object.
var __xmplan__ = (function (host, global) {
    function call(operation, value) {
        var answer = JSON.parse(host(operation, JSON.stringify(value === undefined ? null : value)));
        if (answer.error !== undefined) {
            throw new Error(answer.error);
        }
        return answer.ok;
    }

    function hidden(target, name, value) {
        Object.defineProperty(target, name, {value: value, enumerable: false, writable: true, configurable: true});
    }

    // Nashorn lets scripts call Java String methods on JS strings; real scripts rely on these.
    var javaStrings = {
        equals: function (other) { return other !== null && other !== undefined && String(this) === String(other); },
        equalsIgnoreCase: function (other) {
            return other !== null && other !== undefined && String(this).toLowerCase() === String(other).toLowerCase();
        },
        contains: function (part) { return String(this).indexOf(String(part)) !== -1; },
        isEmpty: function () { return String(this).length === 0; },
        startsWith: function (part, from) { return String(this).substr(from || 0, String(part).length) === String(part); },
        endsWith: function (part) {
            var text = String(this), tail = String(part);
            return tail.length <= text.length && text.substr(text.length - tail.length) === tail;
        }
    };
    for (var method in javaStrings) {
        if (!String.prototype[method]) {
            hidden(String.prototype, method, javaStrings[method]);
        }
    }

    // The run's own values come from the host at the first use, not while the prelude loads, so
    // an engine may load the prelude once and restore that state before every run.
    var start, request, callback;
    function begin() {
        if (start !== undefined) {
            return;
        }
        start = call("init");
        request = start.request;
        for (var alias in start.headerAliases) {
            hidden(request.headers, alias, request.headers[start.headerAliases[alias]]);
        }
        callback = start.callback || {};
        if (start.clock !== null) {
            Date = clockDate(start.clock);  // assigned: js2py's global Date cannot be redefined
        }
        if (start.random !== null) {
            installRandom(start.random);
        }
    }

    // --clock: the run's clock starts at that instant and moves on one millisecond each time a
    // script reads it. Time passes (a busy-wait `sleep` ends) and yet two runs see the same times.
    function clockDate(instant) {
        var RealDate = global.Date, next = instant;
        function now() {
            return next++;
        }
        function Date(year, month, day, hours, minutes, seconds, ms) {
            if (!(this instanceof Date)) {
                return new RealDate(now()).toString();  // Date() called as a function is the time as text
            }
            // As many arguments as given: new Date(2020, 0) is not new Date(2020, 0, undefined).
            switch (arguments.length) {
            case 0: return new RealDate(now());
            case 1: return new RealDate(year);
            case 2: return new RealDate(year, month);
            case 3: return new RealDate(year, month, day);
            case 4: return new RealDate(year, month, day, hours);
            case 5: return new RealDate(year, month, day, hours, minutes);
            case 6: return new RealDate(year, month, day, hours, minutes, seconds);
            default: return new RealDate(year, month, day, hours, minutes, seconds, ms);
            }
        }
        Date.prototype = RealDate.prototype;  // so that `x instanceof Date` holds for every date
        hidden(RealDate.prototype, "constructor", Date);
        hidden(Date, "now", now);
        hidden(Date, "parse", RealDate.parse);
        hidden(Date, "UTC", RealDate.UTC);
        return Date;
    }

    // --seed: Math.random from a seeded generator (Park-Miller: exact in doubles, the same in every engine).
    function installRandom(state) {
        hidden(Math, "random", function random() {
            state = state * 48271 % 2147483647;
            return (state - 1) / 2147483646;
        });
    }

    function show(value) {
        return typeof value === "string" ? value : String(value);
    }
    function logger(level) {
        return function () {
            var parts = [];
            for (var i = 0; i < arguments.length; i++) {
                parts.push(show(arguments[i]));
            }
            call("console", {level: level, text: parts.join(" ")});
        };
    }
    var console = {
        log: logger("log"), info: logger("info"), warn: logger("warn"), error: logger("error"), debug: logger("debug")
    };

    function responseOf(answer) {
        return {
            statusCode: answer.statusCode, statusMessage: answer.statusMessage, body: answer.body,
            headers: answer.headers, httpVersion: "HTTP/1.1"
        };
    }
    var http = {
        request: function (options) {
            var sent = {};
            for (var key in options) {
                sent[key] = options[key];
            }
            if (options && options.headers) {  // header values go out as text, as JavaScript writes them
                sent.headers = {};
                for (var name in options.headers) {
                    var value = options.headers[name];
                    if (value !== null && value !== undefined) {
                        sent.headers[name] = String(value);
                    }
                }
            }
            return {
                write: function (body) {
                    var isText = typeof body === "string" || body === undefined || body === null;
                    sent.body = isText ? (body === undefined ? null : body) : JSON.stringify(body);
                    sent.json = !isText;
                    return responseOf(call("http", sent));
                }
            };
        },
        authenticate: function (endpoint) {
            return call("authenticate", {endpoint: endpoint});
        }
    };

    var form = {
        post: function (trigger) {
            var answer = call("form.post", trigger);
            return {statusCode: answer.statusCode, body: answer.body};
        }
    };

    var DATE = "$xmplan:date";
    // A walk, not a JSON.parse reviver: js2py 0.74 lost what revivers returned for array items.
    function reviveDates(value) {
        if (value === null || typeof value !== "object") {
            return value;
        }
        if (value[DATE] !== undefined) {
            return new Date(value[DATE]);
        }
        for (var key in value) {
            value[key] = reviveDates(value[key]);
        }
        return value;
    }
    var jxonConfig = {};
    function xmlToJs(xml) {
        var parsed = call("jxon.parse", {xml: String(xml), config: jxonConfig});
        return parsed.dated ? reviveDates(parsed.tree) : parsed.tree;
    }
    function jsToString(value) {
        return call("jxon.stringify", {value: value, config: jxonConfig});
    }
    var jxon = {
        config: function (options) {
            for (var key in options) {
                jxonConfig[key] = options[key];
            }
        },
        parse: xmlToJs, xmlToJs: xmlToJs, stringToJs: xmlToJs, stringify: jsToString, jsToString: jsToString
    };
    var JXON = {parse: xmlToJs, stringify: jsToString, jsToString: jsToString};
    var XMLUtils = {JXON: jxon};

    var trigger = {properties: {}};
    var factories = {};
    var modules = {};

    // A Flow Designer step reads `input` (text values) and writes `output`; both are {} elsewhere.
    var output = {};
    function builtins(module) {
        begin();
        return [request, form, trigger, http, console, start.constants, require, module.exports, module,
            JXON, XMLUtils, callback.event, callback.respondedTo, callback.response, callback.statusChanged,
            callback.deliveryStatusUpdated, callback.notification, callback.annotation, callback.escalation,
            start.input || {}, output];
    }
    // Outputs are text in Flow Designer; null and undefined leave an output unset.
    function reportOutputs() {
        if (start === undefined || !start.input) {
            return;
        }
        var values = {};
        for (var name in output) {
            var value = output[name];
            if (value !== null && value !== undefined) {
                values[name] = typeof value === "string" ? value : String(value);
            }
        }
        call("output", values);
    }
    function require(name) {
        if (Object.prototype.hasOwnProperty.call(modules, name)) {
            return modules[name].exports;
        }
        if (!Object.prototype.hasOwnProperty.call(factories, name)) {
            throw new Error("Cannot find shared library '" + name + "'");
        }
        var module = {id: name, exports: {}};
        modules[name] = module;
        factories[name].apply(global, builtins(module));
        return module.exports;
    }

    return {
        define: function (name, factory) { factories[name] = factory; },
        main: function (body) {
            try {
                body.apply(global, builtins({id: "", exports: {}}));
            } finally {
                reportOutputs();
            }
        },
        require: require,
        parsed: function () {}
    };
})(__xmplan_host__, this);
