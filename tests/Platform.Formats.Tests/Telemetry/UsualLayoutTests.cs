using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using Platform.Engine.Batching;
using Platform.Engine.Symbols;
using TelemetryRecord = Platform.Engine.Records.Telemetry;

namespace Platform.Formats.Tests.Telemetry;

/// <summary>
/// The usual-layout path (<c>TelemetryLineParser.Usual.cs</c>) against the general path and System.Text.Json: a line
/// it takes must give the record the general path gives (forced by one leading space), and whatever it does not take
/// must come out exactly as before — records, reasons, positions — including lines that differ from the usual layout
/// by one detail (escapes, whitespace, order, exponents, timestamp spellings) and lines cut across blocks or segments.
/// </summary>
public class UsualLayoutTests
{
    /// <summary>Parses <paramref name="line"/> once as it is (usual path when it fits) and once after a space (general path).</summary>
    private static (bool Ok, TelemetryRecord Record, string? Reason, bool OkGeneral, TelemetryRecord General, string? GeneralReason) ParseBoth(
        TelemetryNdjsonParser parser, byte[] line)
    {
        var ok = parser.TryParseLine(line, out var record, out var failure);
        var okGeneral = parser.TryParseLine([(byte)' ', .. line], out var general, out var generalFailure);
        return (ok, record, ok ? null : parser.Describe(failure, line), okGeneral, general,
            okGeneral ? null : parser.Describe(generalFailure, [(byte)' ', .. line]));
    }

    private static bool TakesUsualPath(byte[] line, SymbolTable symbols)
    {
        TelemetryRecord record = default;
        return TelemetryLineParser.TryParseUsual(line, SymbolCache.Rent(symbols), ref record, out _) >= 0;
    }

    [Fact]
    public void RandomUsualLines_TakeTheUsualPath_SameRecordAsGeneralPathAndSystemTextJson()
    {
        var parser = new TelemetryNdjsonParser(new SymbolTable());
        var taken = 0;
        Gen.ULong.Sample(seed =>
        {
            var line = Encoding.UTF8.GetBytes(new UsualLineWriter(new Random((int)seed ^ (int)(seed >> 32))).Line());
            var (ok, record, reason, okGeneral, general, _) = ParseBoth(parser, line);
            Assert.True(ok, $"{Encoding.UTF8.GetString(line)} -> {reason}");
            Assert.True(okGeneral);
            Assert.Equal(general, record);
            Assert.Equal(ExpectedTelemetry.FromStj(line), ExpectedTelemetry.FromRecord(record, parser.Symbols));
            if (TakesUsualPath(line, parser.Symbols)) Interlocked.Increment(ref taken);
        }, iter: 20_000, threads: 1);
        // Dates are drawn from years 1–9999 and numbers in every spelling: most lines still fit the layout.
        Assert.True(taken > 15_000, $"only {taken} of 20000 lines took the usual path");
    }

    [Fact]
    public void RandomByteEdits_UsualPathAcceptsOnlyWhatGeneralPathAndSystemTextJsonAccept()
    {
        var parser = new TelemetryNdjsonParser(new SymbolTable());
        ReadOnlySpan<byte> alphabet = "\"\\{}[],:.-+eE0123456789 \t\r\nTZtz/ux\0\u007f"u8;
        var edits = alphabet.ToArray();
        Gen.Select(Gen.ULong, Gen.Int[1, 3]).Sample((seed, count) =>
        {
            var r = new Random((int)seed ^ (int)(seed >> 32));
            var line = Encoding.UTF8.GetBytes(new UsualLineWriter(r).Line());
            for (var k = 0; k < count; k++)
            {
                var at = r.Next(line.Length);
                switch (r.Next(4))
                {
                    case 0: line[at] = edits[r.Next(edits.Length)]; break;
                    case 1: line[at] = (byte)r.Next(256); break;
                    case 2: line = [.. line[..at], .. line[(at + 1)..]]; break;
                    default: line = [.. line[..at], edits[r.Next(edits.Length)], .. line[at..]]; break;
                }
                if (line.Length == 0) return;
            }
            if (line.Contains((byte)'\n')) return; // a line never holds one
            var (ok, record, reason, okGeneral, general, generalReason) = ParseBoth(parser, line);
            Assert.Equal(okGeneral, ok);
            if (ok)
            {
                Assert.Equal(general, record);
                using var _ = JsonDocument.Parse(line); // accepted ⇒ valid JSON
            }
            else
            {
                // Same reason, the column moved by the leading space.
                Assert.Equal(ShiftColumns(reason!), generalReason);
            }
        }, iter: 30_000, threads: 1);
    }

    private static string ShiftColumns(string reason)
    {
        const string marker = "at column ";
        var k = reason.IndexOf(marker, StringComparison.Ordinal);
        if (k < 0) return reason;
        var start = k + marker.Length;
        var end = start;
        while (end < reason.Length && char.IsAsciiDigit(reason[end])) end++;
        var column = int.Parse(reason.AsSpan(start, end - start), CultureInfo.InvariantCulture);
        return string.Concat(reason.AsSpan(0, start), (column + 1).ToString(CultureInfo.InvariantCulture), reason.AsSpan(end));
    }

    private const string Usual =
        """{"deviceId":"dev-000042","timestamp":"2026-01-01T00:00:00.000Z","sensorType":"temperature","payload":{"value":21.5,"unit":"Celsius"},"correlationId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","location":{"lat":52.52,"lon":-13.405}}""";

    /// <summary>The usual line with one detail changed, and whether it is still a valid record.</summary>
    public static TheoryData<string, bool> NearlyUsual() => new()
    {
        { Usual, true },
        { Usual.Replace("dev-000042", "dev\\u002d000042", StringComparison.Ordinal), true },
        { Usual.Replace("temperature", "tem\\\"perature", StringComparison.Ordinal), true },
        { Usual.Replace("Celsius", "\\u00b0C", StringComparison.Ordinal), true },
        { Usual.Replace("dev-000042", "dév-000042", StringComparison.Ordinal), true },
        { Usual.Replace("dev-000042", new string('d', 24), StringComparison.Ordinal), true },
        { Usual.Replace("dev-000042", new string('d', 25), StringComparison.Ordinal), true },
        { Usual.Replace("dev-000042", "", StringComparison.Ordinal), false },
        { Usual.Replace("\"unit\":\"Celsius\"", "\"unit\":\"\"", StringComparison.Ordinal), true },
        { Usual.Replace(",\"unit\":\"Celsius\"", "", StringComparison.Ordinal), true },
        { Usual.Replace("\"deviceId\":", "\"deviceId\": ", StringComparison.Ordinal), true },
        { Usual.Replace(",\"sensorType\"", " ,\"sensorType\"", StringComparison.Ordinal), true },
        { Usual.Replace("{\"lat\"", "{\t\"lat\"", StringComparison.Ordinal), true },
        { Usual + " ", true },
        { Usual + "\r", true },
        { Usual.Replace("\"timestamp\":\"2026-01-01T00:00:00.000Z\",", "", StringComparison.Ordinal)
            .Replace("}}", "},\"timestamp\":\"2026-01-01T00:00:00.000Z\"}", StringComparison.Ordinal), true },
        { Usual.Replace("\"value\":21.5", "\"value\":2.15e1", StringComparison.Ordinal), true },
        { Usual.Replace("\"value\":21.5", "\"value\":-215E-1", StringComparison.Ordinal), true },
        { Usual.Replace("\"lat\":52.52", "\"lat\":5.252e+1", StringComparison.Ordinal), true },
        { Usual.Replace("\"lon\":-13.405", "\"lon\":-0", StringComparison.Ordinal), true },
        { Usual.Replace("\"value\":21.5", "\"value\":021.5", StringComparison.Ordinal), false },
        { Usual.Replace("\"value\":21.5", "\"value\":21.", StringComparison.Ordinal), false },
        { Usual.Replace("\"value\":21.5", "\"value\":1e400", StringComparison.Ordinal), false },
        { Usual.Replace("\"value\":21.5", "\"x\":1,\"y\":2,\"z\":2", StringComparison.Ordinal), true },
        { Usual.Replace("\"value\":21.5", "\"x\":1,\"y\":2", StringComparison.Ordinal), false },
        { Usual.Replace("T00:00:00.000Z", "t00:00:00.000z", StringComparison.Ordinal), true },
        { Usual.Replace("T00:00:00.000Z", "T00:00:00Z", StringComparison.Ordinal), true },
        { Usual.Replace("T00:00:00.000Z", "T00:00:00.123456+05:30", StringComparison.Ordinal), true },
        { Usual.Replace("2026-01-01", "2024-02-29", StringComparison.Ordinal), true },
        { Usual.Replace("2026-01-01", "2023-02-29", StringComparison.Ordinal), false },
        { Usual.Replace("2026-01-01", "2026-13-01", StringComparison.Ordinal), false },
        { Usual.Replace("2026-01-01", "0000-01-01", StringComparison.Ordinal), false },
        { Usual.Replace("T00:00", "T24:00", StringComparison.Ordinal), false },
        { Usual.Replace("00.000Z", "60.000Z", StringComparison.Ordinal), false },
        { Usual.Replace("00.000Z", "0\u0000.000Z", StringComparison.Ordinal), false },
        { Usual.Replace(".000Z", ".0a0Z", StringComparison.Ordinal), false },
        { Usual.Replace("\"2026-01-01T00:00:00.000Z\"", "1767225600000", StringComparison.Ordinal), true },
        { Usual.Replace("\"2026-01-01T00:00:00.000Z\"", "-1767225600000", StringComparison.Ordinal), true },
        { Usual.Replace("\"2026-01-01T00:00:00.000Z\"", "1767225600000.0", StringComparison.Ordinal), false },
        { Usual.Replace("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E0-4F89-11D3-9A0C-0305E82C3301", StringComparison.Ordinal), true },
        { Usual.Replace("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3f2504e0-4f89-11d3-9a0c-0305e82c330g", StringComparison.Ordinal), true },
        { Usual.Replace("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3f2504e0\\u002d4f89-11d3-9a0c-0305e82c3301", StringComparison.Ordinal), true },
        { Usual.Replace("}}", "},\"extra\":[1,{\"a\":null}]}", StringComparison.Ordinal), true },
        { Usual.Replace("}}", "},\"location\":null}", StringComparison.Ordinal), false },
        { Usual.Replace("}}", "}}}", StringComparison.Ordinal), false },
        { Usual.Replace("}}", "}", StringComparison.Ordinal), false },
        { Usual + "x", false },
    };

    [Theory]
    [MemberData(nameof(NearlyUsual))]
    public void NearlyUsualLine_SameOutcomeAsGeneralPathAndSystemTextJson(string text, bool valid)
    {
        var parser = new TelemetryNdjsonParser(new SymbolTable());
        var line = Encoding.UTF8.GetBytes(text);
        var (ok, record, reason, okGeneral, general, generalReason) = ParseBoth(parser, line);
        Assert.True(valid == ok, $"{text} -> {reason}");
        Assert.Equal(okGeneral, ok);
        if (ok)
        {
            Assert.Equal(general, record);
            Assert.Equal(ExpectedTelemetry.FromStj(line), ExpectedTelemetry.FromRecord(record, parser.Symbols));
        }
        else
        {
            Assert.Equal(ShiftColumns(reason!), generalReason);
        }
    }

    [Fact]
    public void UsualBlocks_SpanVersusSplitSequenceAndLineByLine_SameRecordsAndErrors()
    {
        var broken = BrokenLines.All().Select(b => b.Line).ToArray();
        Gen.Select(Gen.ULong, Gen.Int[1, 40], Gen.Int[0, 20], Gen.Bool).Sample((seed, lines, cuts, crlf) =>
        {
            var r = new Random((int)seed ^ (int)(seed >> 32));
            var ms = new MemoryStream();
            var texts = new List<byte[]>();
            for (var k = 0; k < lines; k++)
            {
                var line = r.Next(8) == 0 ? broken[r.Next(broken.Length)] : Encoding.UTF8.GetBytes(new UsualLineWriter(r).Line());
                if (r.Next(8) == 0) line = line[..r.Next(1, line.Length)]; // cut short
                texts.Add(line);
                ms.Write(line);
                if (k < lines - 1 || r.Next(2) == 0) ms.Write(crlf ? "\r\n"u8 : "\n"u8);
            }
            var data = ms.ToArray();

            var (spanRecords, spanDead) = Run(new TelemetryNdjsonParser(new SymbolTable()), data, null);
            var sequence = Segment.Split(data, Enumerable.Range(0, cuts).Select(_ => r.Next(data.Length + 1)));
            var (seqRecords, seqDead) = Run(new TelemetryNdjsonParser(new SymbolTable()), null, sequence);
            Assert.Equal(spanRecords, seqRecords);
            Assert.Equal(spanDead, seqDead);

            // Line by line, each line exactly (no bytes after it to read ahead into).
            var one = new TelemetryNdjsonParser(new SymbolTable());
            var lineRecords = new List<ExpectedTelemetry>();
            var lineReasons = new List<string>();
            foreach (var text in texts)
            {
                if (text.AsSpan().IndexOfAnyExcept(" \t\r"u8) < 0) continue;
                var line = text.Length > 0 && text[^1] == (byte)'\r' ? text[..^1] : text;
                if (one.TryParseLine(line, out var record, out var failure)) lineRecords.Add(ExpectedTelemetry.FromRecord(record, one.Symbols));
                else lineReasons.Add(one.Describe(failure, line));
            }
            Assert.Equal(spanRecords, lineRecords);
            Assert.Equal(spanDead.Select(d => d.Reason), lineReasons);
        }, iter: 2_000, threads: 1);
    }

    private static (List<ExpectedTelemetry> Records, List<(long Position, string Reason, string Raw)> Dead) Run(
        TelemetryNdjsonParser parser, byte[]? span, ReadOnlySequence<byte>? sequence)
    {
        var batch = new BatchPool<TelemetryRecord>(16).Rent();
        var dlq = new ListDeadLetterSink();
        if (span is not null) parser.Parse(span, "src", 0, 7, batch, dlq);
        else parser.Parse(sequence!.Value, "src", 0, 7, batch, dlq);
        var records = new List<ExpectedTelemetry>();
        foreach (ref readonly var t in batch.Items) records.Add(ExpectedTelemetry.FromRecord(t, parser.Symbols));
        return (records, dlq.Items.Select(d => (d.Position, d.Reason, Convert.ToBase64String(d.Raw))).ToList());
    }

    /// <summary>Random records in the generator's layout: every field, usual order, no whitespace.</summary>
    private sealed class UsualLineWriter(Random r)
    {
        public string Line()
        {
            var sb = new StringBuilder();
            sb.Append("{\"deviceId\":\"").Append(Word(1, 24)).Append("\",\"timestamp\":");
            if (r.Next(5) == 0)
            {
                sb.Append(r.NextInt64(-2_000_000_000_000, 4_000_000_000_000).ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                // Any day of years 1–9999 (leap days included), milliseconds.
                var t = DateTime.MinValue.AddMilliseconds(r.NextDouble() * (DateTime.MaxValue - DateTime.MinValue).TotalMilliseconds);
                sb.Append('"').Append(t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append('"');
            }
            sb.Append(",\"sensorType\":\"").Append(Word(1, 12)).Append("\",\"payload\":{");
            if (r.Next(5) == 0) sb.Append("\"x\":").Append(Number()).Append(",\"y\":").Append(Number()).Append(",\"z\":").Append(Number());
            else sb.Append("\"value\":").Append(Number());
            if (r.Next(4) != 0) sb.Append(",\"unit\":\"").Append(Word(1, 8)).Append('"');
            var uuid = new byte[16];
            r.NextBytes(uuid);
            var id = new Guid(uuid).ToString("D");
            sb.Append("},\"correlationId\":\"").Append(r.Next(2) == 0 ? id : id.ToUpperInvariant()).Append('"');
            sb.Append(",\"location\":{\"lat\":").Append(Number()).Append(",\"lon\":").Append(Number()).Append("}}");
            return sb.ToString();
        }

        private string Word(int min, int max)
        {
            const string chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/ %#~";
            var n = r.Next(min, max + 1);
            return string.Create(n, r, (span, random) =>
            {
                for (var k = 0; k < span.Length; k++) span[k] = chars[random.Next(chars.Length)];
            });
        }

        private string Number()
        {
            double d = r.Next(6) switch
            {
                0 => r.Next(-1000, 1000),
                1 => Math.Round(r.NextDouble() * 360 - 180, r.Next(0, 8)),
                2 => (r.NextDouble() - 0.5) * Math.Pow(10, r.Next(-300, 300)),
                3 => BitConverter.Int64BitsToDouble(r.NextInt64() & 0x7FEF_FFFF_FFFF_FFFF),
                4 => r.NextDouble(),
                _ => r.Next(2) == 0 ? 0.0 : -0.0,
            };
            return r.Next(4) switch
            {
                0 => d.ToString("R", CultureInfo.InvariantCulture),
                1 => d.ToString("E" + r.Next(1, 17), CultureInfo.InvariantCulture),
                2 => d.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant(),
                _ => d.ToString("F" + r.Next(0, 6), CultureInfo.InvariantCulture),
            };
        }
    }
}
