using System.Text;

namespace Platform.Formats.Tests.Telemetry;

/// <summary>A corpus of bad telemetry lines, each with whether it is a JSON syntax error (System.Text.Json must reject it too).</summary>
internal static class BrokenLines
{
    public const string Valid =
        """{"deviceId":"dev-001","timestamp":"2024-05-01T12:00:00.123Z","sensorType":"temperature","payload":{"value":21.5,"unit":"Celsius"},"correlationId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","location":{"lat":52.52,"lon":13.405}}""";

    /// <summary>(line bytes, is JSON syntax error, substring the reason must contain).</summary>
    public static IEnumerable<(byte[] Line, bool SyntaxError, string ReasonPart)> All()
    {
        static byte[] U(string s) => Encoding.UTF8.GetBytes(s);
        static byte[] Cat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

        // Invalid UTF-8 in a known string, in an unknown string, in a key.
        yield return (Cat(U("""{"deviceId":"d"""), [0xFF], U(""" ","timestamp":1,"sensorType":"s","payload":{"value":1}}""")), true, "invalid UTF-8");
        yield return (Cat(U("""{"deviceId":"d","x":"a"""), [0xC0, 0xAF], U(""" ","timestamp":1,"sensorType":"s","payload":{"value":1}}""")), true, "invalid UTF-8");
        yield return (Cat(U("{\"deviceId\":\"d\",\""), [0xED, 0xA0, 0x80], U(""" ":1,"timestamp":1,"sensorType":"s","payload":{"value":1}}""")), true, "invalid UTF-8");
        yield return (Cat(U("""{"deviceId":"d"""), [0xE4, 0xB8], U(""" ","timestamp":1,"sensorType":"s","payload":{"value":1}}""")), true, "invalid UTF-8");
        // Deep nesting in an unknown field.
        yield return (U("""{"deviceId":"d","deep":""" + new string('[', 1000) + new string(']', 1000) + ""","timestamp":1,"sensorType":"s","payload":{"value":1}}"""), true, "nesting deeper than 64");
        yield return (U("""{"deviceId":"d","deep":""" + string.Concat(Enumerable.Repeat("""{"a":""", 1000)) + "1" + new string('}', 1000) + ""","timestamp":1,"sensorType":"s","payload":{"value":1}}"""), true, "nesting deeper than 64");
        // Huge numbers.
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1e400}}"""), false, "number out of range in field 'payload.value'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":-1.5E+309}}"""), false, "number out of range");
        yield return (U("""{"deviceId":"d","timestamp":99999999999999999999,"sensorType":"s","payload":{"value":1}}"""), false, "number out of range in field 'timestamp'");
        // Duplicate keys.
        yield return (U("""{"deviceId":"d","deviceId":"e","timestamp":1,"sensorType":"s","payload":{"value":1}}"""), false, "duplicate key 'deviceId'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1,"value":2}}"""), false, "duplicate key 'payload.value'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1},"location":{"lat":1,"latitude":2,"lon":3}}"""), false, "duplicate key 'location.lat'");
        // Wrong types.
        yield return (U("""{"deviceId":42,"timestamp":1,"sensorType":"s","payload":{"value":1}}"""), false, "field 'deviceId' must be a string, got number");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":"1"}}"""), false, "field 'payload.value' must be a number, got string");
        yield return (U("""{"deviceId":"d","timestamp":true,"sensorType":"s","payload":{"value":1}}"""), false, "field 'timestamp' must be");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":[1]}"""), false, "field 'payload' must be an object, got array");
        yield return (U("""{"deviceId":null,"timestamp":1,"sensorType":"s","payload":{"value":1}}"""), false, "got null");
        yield return (U("""{"deviceId":"d","timestamp":1.5,"sensorType":"s","payload":{"value":1}}"""), false, "epoch-millis timestamp must be an integer");
        yield return (U("""{"deviceId":"d","timestamp":"yesterday","sensorType":"s","payload":{"value":1}}"""), false, "invalid ISO-8601 timestamp");
        yield return (U("""{"deviceId":"d","timestamp":"2024-02-30T00:00:00Z","sensorType":"s","payload":{"value":1}}"""), false, "invalid ISO-8601 timestamp");
        yield return (U("""{"deviceId":"","timestamp":1,"sensorType":"s","payload":{"value":1}}"""), false, "field 'deviceId' is empty");
        yield return (U("{\"deviceId\":\"" + new string('d', 300) + "\",\"timestamp\":1,\"sensorType\":\"s\",\"payload\":{\"value\":1}}"), false, "longer than 256 bytes");
        // Trailing commas, comments, quotes, literals, numbers.
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1},}"""), true, "expected field name after field 'payload'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1,}}"""), true, "expected field name");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1},"u":[1,2,]}"""), true, "invalid JSON value in field 'u'");
        yield return (U("""{"deviceId":"d",/*c*/"timestamp":1,"sensorType":"s","payload":{"value":1}}"""), true, "expected field name");
        yield return (U("""{'deviceId':"d","timestamp":1,"sensorType":"s","payload":{"value":1}}"""), true, "expected field name at column 2");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":01}}"""), true, "invalid number in field 'payload.value'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":NaN}}"""), true, "field 'payload.value' must be a number");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":-Infinity}}"""), true, "invalid number");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1.}}"""), true, "invalid number");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":.5}}"""), true, "must be a number");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1},"u":tru}"""), true, "invalid JSON value in field 'u'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1},"u":+1}"""), true, "invalid JSON value");
        // Strings: control characters, bad escapes.
        yield return (U("{\"deviceId\":\"a\tb\",\"timestamp\":1,\"sensorType\":\"s\",\"payload\":{\"value\":1}}"), true, "unescaped control character");
        yield return (U("""{"deviceId":"a\xb","timestamp":1,"sensorType":"s","payload":{"value":1}}"""), true, "invalid escape sequence in string of field 'deviceId' at column 15");
        yield return (U("""{"deviceId":"a\u12G4","timestamp":1,"sensorType":"s","payload":{"value":1}}"""), true, "invalid escape");
        yield return (U("""{"deviceId":"a\ud800","timestamp":1,"sensorType":"s","payload":{"value":1}}"""), false, "invalid escape");
        // Structure.
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1}} x"""), true, "unexpected data after the object at column 71");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1}}{}"""), true, "unexpected data after the object");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s" "payload":{"value":1}}"""), true, "expected ',' or '}' after field 'sensorType' at column 48");
        yield return (U("""{"deviceId" "d","timestamp":1,"sensorType":"s","payload":{"value":1}}"""), true, "expected ':' after field name 'deviceId'");
        yield return (U("""["deviceId","d"]"""), false, "expected '{' at column 1");
        yield return (U("""hello world"""), true, "expected '{' at column 1, found 'h'");
        yield return (U("""<xml/>"""), true, "expected '{'");
        yield return (U("\uFEFF" + Valid), true, "expected '{' at column 1");
        // Missing or incomplete fields.
        yield return (U("""{"timestamp":1,"sensorType":"s","payload":{"value":1}}"""), false, "missing required field 'deviceId'");
        yield return (U("""{"deviceId":"d","sensorType":"s","payload":{"value":1}}"""), false, "missing required field 'timestamp'");
        yield return (U("""{"deviceId":"d","timestamp":1,"payload":{"value":1}}"""), false, "missing required field 'sensorType'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s"}"""), false, "missing required field 'payload'");
        yield return (U("""{}"""), false, "missing required field 'deviceId'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"unit":"C"}}"""), false, "payload has neither 'value' nor 'x','y','z'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"x":1,"y":2}}"""), false, "payload vector is missing 'z'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1,"x":1,"y":2,"z":3}}"""), false, "payload has both 'value' and 'x','y','z'");
        yield return (U("""{"deviceId":"d","timestamp":1,"sensorType":"s","payload":{"value":1},"location":{"lat":1}}"""), false, "location is missing 'lon'");
    }
}
