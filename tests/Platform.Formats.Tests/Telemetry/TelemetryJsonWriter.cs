using System.Globalization;
using System.Text;

namespace Platform.Formats.Tests.Telemetry;

/// <summary>
/// Writes random but valid telemetry lines: random field order, optional fields, escapes, vector or scalar
/// payloads, ISO or epoch timestamps, unknown nested fields and random whitespace. Deterministic per seed.
/// </summary>
internal sealed class TelemetryJsonWriter(Random r)
{
    private readonly StringBuilder _sb = new();

    public static string ValidLine(ulong seed) => new TelemetryJsonWriter(new Random((int)seed ^ (int)(seed >> 32))).Line();

    public string Line()
    {
        _sb.Clear();
        var fields = new List<Action>
        {
            () => { Key("deviceId"); Str(Text(1, 24)); },
            () => { Key("timestamp"); Timestamp(); },
            () => { Key("sensorType"); Str(Text(1, 12)); },
            () => { Key("payload"); Payload(); },
        };
        if (r.Next(2) == 0) fields.Add(() => { Key("correlationId"); Str(r.Next(2) == 0 ? Uuid() : Text(0, 40)); });
        if (r.Next(2) == 0) fields.Add(() => { Key("location"); Location(); });
        for (var n = r.Next(3); n > 0; n--) fields.Add(() => { Key("u_" + r.Next(1000)); Unknown(3); });
        if (r.Next(4) != 0) Shuffle(fields);
        Ws();
        _sb.Append('{');
        Members(fields);
        _sb.Append('}');
        Ws();
        return _sb.ToString();
    }

    private void Members(List<Action> fields)
    {
        for (var k = 0; k < fields.Count; k++)
        {
            if (k > 0) { Ws(); _sb.Append(','); }
            Ws();
            fields[k]();
            Ws();
        }
    }

    private void Key(string name)
    {
        // Now and then spell a known name with escapes: it must still be recognised.
        if (r.Next(20) == 0) _sb.Append('"').Append(string.Concat(name.Select(c => $"\\u{(int)c:x4}"))).Append('"');
        else _sb.Append('"').Append(name).Append('"');
        Ws();
        _sb.Append(':');
        Ws();
    }

    private void Ws()
    {
        if (r.Next(3) != 0) return;
        var n = r.Next(1, 3);
        for (var k = 0; k < n; k++) _sb.Append(" \t\r "[r.Next(4)]);
    }

    private void Timestamp()
    {
        if (r.Next(3) == 0)
        {
            _sb.Append(r.NextInt64(-2_000_000_000_000, 4_000_000_000_000).ToString(CultureInfo.InvariantCulture));
            return;
        }
        var t = DateTimeOffset.UnixEpoch.AddMilliseconds(r.NextInt64(0, 4_000_000_000_000)).AddTicks(r.Next(10_000));
        var offset = TimeSpan.FromMinutes(r.Next(-12 * 4, 14 * 4 + 1) * 15);
        var local = t.ToOffset(offset);
        var digits = r.Next(0, 8);
        var text = local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (digits > 0) text += "." + local.ToString(digits == 1 ? "%f" : new string('f', digits), CultureInfo.InvariantCulture);
        text += offset == TimeSpan.Zero && r.Next(2) == 0 ? "Z" : local.ToString("zzz", CultureInfo.InvariantCulture);
        Str(text);
    }

    private void Payload()
    {
        var fields = new List<Action>();
        if (r.Next(20) == 0)
        {
            fields.Add(() => { Key("x"); Number(); });
            fields.Add(() => { Key("y"); Number(); });
            fields.Add(() => { Key("z"); Number(); });
        }
        else
        {
            fields.Add(() => { Key("value"); Number(); });
        }
        if (r.Next(3) != 0) fields.Add(() => { Key("unit"); Str(Text(0, 8)); });
        if (r.Next(4) == 0) fields.Add(() => { Key("u_p" + r.Next(100)); Unknown(2); });
        Shuffle(fields);
        _sb.Append('{');
        Members(fields);
        _sb.Append('}');
    }

    private void Location()
    {
        var longNames = r.Next(2) == 0;
        var fields = new List<Action>
        {
            () => { Key(longNames ? "latitude" : "lat"); Number(); },
            () => { Key(longNames ? "longitude" : "lon"); Number(); },
        };
        if (r.Next(4) == 0) fields.Add(() => { Key("alt"); Number(); });
        Shuffle(fields);
        _sb.Append('{');
        Members(fields);
        _sb.Append('}');
    }

    private void Number()
    {
        double d = r.Next(6) switch
        {
            0 => r.Next(-1000, 1000),
            1 => Math.Round(r.NextDouble() * 200 - 100, r.Next(0, 6)),
            2 => (r.NextDouble() - 0.5) * Math.Pow(10, r.Next(-300, 300)),
            3 => BitConverter.Int64BitsToDouble(r.NextInt64() & 0x7FEF_FFFF_FFFF_FFFF),
            4 => r.NextDouble(),
            _ => r.Next(2) == 0 ? 0.0 : -0.0,
        };
        var text = r.Next(4) switch
        {
            0 => d.ToString("R", CultureInfo.InvariantCulture),
            1 => d.ToString("E" + r.Next(1, 17), CultureInfo.InvariantCulture),
            2 => d.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant(),
            _ => d.ToString(CultureInfo.InvariantCulture),
        };
        _sb.Append(text);
    }

    private void Unknown(int depth)
    {
        switch (r.Next(depth > 0 ? 8 : 5))
        {
            case 0: Str(Text(0, 10)); break;
            case 1: Number(); break;
            case 2: _sb.Append("true"); break;
            case 3: _sb.Append("false"); break;
            case 4: _sb.Append("null"); break;
            case 5 or 6:
                _sb.Append('{');
                var n = r.Next(4);
                for (var k = 0; k < n; k++)
                {
                    if (k > 0) _sb.Append(',');
                    Ws();
                    Str(Text(0, 6));
                    Ws();
                    _sb.Append(':');
                    Ws();
                    Unknown(depth - 1);
                }
                _sb.Append('}');
                break;
            default:
                _sb.Append('[');
                Ws();
                var m = r.Next(4);
                for (var k = 0; k < m; k++)
                {
                    if (k > 0) { _sb.Append(','); Ws(); }
                    Unknown(depth - 1);
                }
                Ws();
                _sb.Append(']');
                break;
        }
    }

    private static readonly string[] Pieces =
    [
        "a", "b", "Z", "0", "7", "-", "_", ".", " ", "/", "\"", "\\", "\n", "\t", "\u0001", "\u001f", "é", "ß", "中", "😀", "\u007f", "\u2028",
    ];

    private string Text(int min, int max)
    {
        var n = r.Next(min, max + 1);
        var sb = new StringBuilder();
        for (var k = 0; k < n; k++) sb.Append(r.Next(3) == 0 ? Pieces[r.Next(Pieces.Length)] : ((char)('a' + r.Next(26))).ToString());
        return sb.ToString();
    }

    private void Str(string value)
    {
        _sb.Append('"');
        Span<char> utf16 = stackalloc char[2];
        foreach (var rune in value.EnumerateRunes())
        {
            var v = rune.Value;
            if (v == '"') _sb.Append("\\\"");
            else if (v == '\\') _sb.Append(r.Next(2) == 0 ? "\\\\" : "\\u005c");
            else if (v == '\n') _sb.Append("\\n");
            else if (v == '\t') _sb.Append("\\t");
            else if (v < 0x20) _sb.Append($"\\u{v:X4}");
            else if (v == '/' && r.Next(2) == 0) _sb.Append("\\/");
            else if (r.Next(8) == 0)
            {
                var n = rune.EncodeToUtf16(utf16);
                for (var k = 0; k < n; k++) _sb.Append($"\\u{(int)utf16[k]:x4}");
            }
            else _sb.Append(rune.ToString());
        }
        _sb.Append('"');
    }

    private string Uuid()
    {
        var bytes = new byte[16];
        r.NextBytes(bytes);
        var g = new Guid(bytes).ToString("D");
        return r.Next(2) == 0 ? g : g.ToUpperInvariant();
    }

    private void Shuffle<T>(List<T> list)
    {
        for (var k = list.Count - 1; k > 0; k--)
        {
            var j = r.Next(k + 1);
            (list[k], list[j]) = (list[j], list[k]);
        }
    }
}
