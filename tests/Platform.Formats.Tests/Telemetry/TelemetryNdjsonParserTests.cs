using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using CsCheck;
using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Formats.Tests.Telemetry;

public class TelemetryNdjsonParserTests
{
    private static (TelemetryNdjsonParser Parser, BatchPool<Platform.Engine.Records.Telemetry> Pool) Create(int maxLineBytes = TelemetryNdjsonParserOptions.DefaultMaxLineBytes) =>
        (new TelemetryNdjsonParser(new SymbolTable(), new TelemetryNdjsonParserOptions { MaxLineBytes = maxLineBytes }), new BatchPool<Platform.Engine.Records.Telemetry>(1024));

    private static (List<ExpectedTelemetry> Records, IReadOnlyList<DeadLetter> Dead) ParseSpan(TelemetryNdjsonParser parser, byte[] data)
    {
        var batch = new BatchPool<Platform.Engine.Records.Telemetry>(16).Rent();
        var dlq = new ListDeadLetterSink();
        var rejected = parser.Parse(data, "src", 3, 1000, batch, dlq);
        Assert.Equal(dlq.Items.Count, rejected);
        var records = new List<ExpectedTelemetry>();
        foreach (ref readonly var t in batch.Items) records.Add(ExpectedTelemetry.FromRecord(t, parser.Symbols));
        return (records, dlq.Items);
    }

    private static (List<ExpectedTelemetry> Records, IReadOnlyList<DeadLetter> Dead) ParseSequence(TelemetryNdjsonParser parser, ReadOnlySequence<byte> data)
    {
        var batch = new BatchPool<Platform.Engine.Records.Telemetry>(16).Rent();
        var dlq = new ListDeadLetterSink();
        var rejected = parser.Parse(data, "src", 3, 1000, batch, dlq);
        Assert.Equal(dlq.Items.Count, rejected);
        var records = new List<ExpectedTelemetry>();
        foreach (ref readonly var t in batch.Items) records.Add(ExpectedTelemetry.FromRecord(t, parser.Symbols));
        return (records, dlq.Items);
    }

    private static void AssertSameDeadLetters(IReadOnlyList<DeadLetter> expected, IReadOnlyList<DeadLetter> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var k = 0; k < expected.Count; k++)
        {
            Assert.Equal(expected[k].Position, actual[k].Position);
            Assert.Equal(expected[k].Reason, actual[k].Reason);
            Assert.Equal(expected[k].Raw, actual[k].Raw);
            Assert.Equal(expected[k].Partition, actual[k].Partition);
        }
    }

    [Fact]
    public void Parse_RandomValidRecords_MatchSystemTextJson()
    {
        var (parser, _) = Create();
        Gen.ULong.Sample(seed =>
        {
            var line = TelemetryJsonWriter.ValidLine(seed);
            var bytes = Encoding.UTF8.GetBytes(line);
            var expected = ExpectedTelemetry.FromStj(bytes);
            var (records, dead) = ParseSpan(parser, [.. bytes, (byte)'\n']);
            Assert.True(dead.Count == 0, $"{line} -> {string.Join("; ", dead)}");
            var actual = Assert.Single(records);
            Assert.Equal(expected, actual);
        }, iter: 20_000);
    }

    [Fact]
    public void Parse_SpanVersusRandomlySplitSequence_SameRecordsAndErrors()
    {
        var gen = Gen.Select(Gen.ULong, Gen.Int[1, 60], Gen.Int[0, 30], Gen.Bool, Gen.Int[0, 2]);
        gen.Sample((seed, lines, cuts, crlf, limitKind) =>
        {
            var r = new Random((int)seed);
            var maxLine = limitKind == 0 ? 300 : TelemetryNdjsonParserOptions.DefaultMaxLineBytes;
            var data = BuildNdjson(r, lines, crlf);
            var (parserA, _) = Create(maxLine);
            var (parserB, _) = Create(maxLine);
            var a = ParseSpan(parserA, data);
            var sequence = Segment.Split(data, Enumerable.Range(0, cuts).Select(_ => r.Next(data.Length + 1)));
            var b = ParseSequence(parserB, sequence);
            Assert.Equal(a.Records, b.Records);
            AssertSameDeadLetters(a.Dead, b.Dead);
        }, iter: 3_000);
    }

    [Fact]
    public async Task ReadAsync_PipeWithSmallWrites_SameRecordsAndErrorsAsSpan()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var r = new Random(seed);
            var data = BuildNdjson(r, 80, crlf: seed % 2 == 0);
            var (parserA, _) = Create(300);
            var expected = ParseSpan(parserA, data);

            var (parserB, pool) = Create(300);
            var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 64, pauseWriterThreshold: 0));
            var writer = Task.Run(async () =>
            {
                var k = 0;
                while (k < data.Length)
                {
                    var n = Math.Min(data.Length - k, r.Next(1, 700));
                    await pipe.Writer.WriteAsync(data.AsMemory(k, n));
                    k += n;
                }
                await pipe.Writer.CompleteAsync();
            });
            var collected = new List<ExpectedTelemetry>();
            var output = new BatchWriter<Platform.Engine.Records.Telemetry>(pool, b =>
            {
                foreach (ref readonly var t in b.Items) collected.Add(ExpectedTelemetry.FromRecord(t, parserB.Symbols));
                b.Dispose();
            });
            var dlq = new ListDeadLetterSink();
            var summary = await TelemetryNdjsonReader.ReadAsync(pipe.Reader, parserB, "src", 3, output, dlq, startPosition: 1000, TestContext.Current.CancellationToken);
            output.Flush();
            await writer;
            Assert.Equal(expected.Records, collected);
            AssertSameDeadLetters(expected.Dead, dlq.Items);
            Assert.Equal(data.Length, summary.Bytes);
            Assert.Equal(expected.Records.Count, summary.Records);
        }
    }

    /// <summary>Valid lines, broken lines, blank lines, oversized lines; maybe no final newline.</summary>
    private static byte[] BuildNdjson(Random r, int lines, bool crlf)
    {
        var broken = BrokenLines.All().Select(b => b.Line).ToArray();
        var ms = new MemoryStream();
        for (var k = 0; k < lines; k++)
        {
            var kind = r.Next(10);
            byte[] line = kind switch
            {
                < 6 => Encoding.UTF8.GetBytes(TelemetryJsonWriter.ValidLine((ulong)r.NextInt64())),
                6 => broken[r.Next(broken.Length)],
                7 => r.Next(2) == 0 ? [] : " \t "u8.ToArray(),
                8 => Encoding.UTF8.GetBytes("{\"deviceId\":\"" + new string('x', r.Next(250, 1200)) + "\"}"),
                _ => Encoding.UTF8.GetBytes(BrokenLines.Valid)[..r.Next(1, BrokenLines.Valid.Length)],
            };
            ms.Write(line);
            if (k < lines - 1 || r.Next(2) == 0) ms.Write(crlf ? "\r\n"u8 : "\n"u8);
        }
        return ms.ToArray();
    }

    [Fact]
    public void Parse_EveryTruncatedPrefix_RejectedWithReasonAndRejectedBySystemTextJson()
    {
        var (parser, _) = Create();
        var valid = Encoding.UTF8.GetBytes(BrokenLines.Valid);
        for (var n = 1; n < valid.Length; n++)
        {
            var line = valid[..n];
            var (records, dead) = ParseSpan(parser, line);
            Assert.Empty(records);
            var letter = Assert.Single(dead);
            Assert.False(string.IsNullOrWhiteSpace(letter.Reason));
            Assert.Equal(line, letter.Raw);
            Assert.Equal(1000, letter.Position);
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(line));
        }
    }

    [Fact]
    public void Parse_BrokenCorpus_EachRejectedWithExpectedReasonNoneLost()
    {
        var (parser, _) = Create();
        var corpus = BrokenLines.All().ToList();
        var ms = new MemoryStream();
        var valid = Encoding.UTF8.GetBytes(BrokenLines.Valid);
        foreach (var (line, _, _) in corpus)
        {
            ms.Write(valid);
            ms.WriteByte((byte)'\n');
            ms.Write(line);
            ms.WriteByte((byte)'\n');
        }
        var (records, dead) = ParseSpan(parser, ms.ToArray());
        Assert.Equal(corpus.Count, records.Count);
        Assert.Equal(corpus.Count, dead.Count);
        long position = 1000;
        for (var k = 0; k < corpus.Count; k++)
        {
            position += valid.Length + 1;
            var (line, syntaxError, reasonPart) = corpus[k];
            Assert.True(dead[k].Reason.Contains(reasonPart, StringComparison.Ordinal), $"line {k}: '{dead[k].Reason}' lacks '{reasonPart}'");
            Assert.Equal(position, dead[k].Position);
            Assert.Equal(line, dead[k].Raw);
            position += line.Length + 1;
            if (syntaxError) Assert.True(StjRejects(line), $"System.Text.Json accepts corpus line {k}: {Encoding.UTF8.GetString(line)}");
        }
    }

    /// <summary>
    /// True when System.Text.Json rejects the line: JsonDocument.Parse checks the syntax, and materialising every
    /// string and property name (as its deserializer does) checks their UTF-8, which the reader alone does not.
    /// </summary>
    private static bool StjRejects(byte[] line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            Walk(doc.RootElement);
            return false;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return true;
        }

        static void Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    _ = e.GetString();
                    break;
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        _ = p.Name;
                        Walk(p.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray()) Walk(item);
                    break;
            }
        }
    }

    [Fact]
    public void Parse_OversizedLine_RejectedNamingTheLimitWithHeadBytes()
    {
        var (parser, _) = Create(1000);
        var big = "{\"deviceId\":\"" + new string('a', 5000) + "\"}";
        var data = Encoding.UTF8.GetBytes(big + "\n" + BrokenLines.Valid + "\n" + big);
        var (records, dead) = ParseSpan(parser, data);
        Assert.Single(records);
        Assert.Equal(2, dead.Count);
        Assert.All(dead, d => Assert.Equal("line exceeds 1000 bytes", d.Reason));
        Assert.Equal(1000, dead[0].Raw.Length);
        Assert.Equal(1000 + big.Length + 1 + BrokenLines.Valid.Length + 1, dead[1].Position);
    }

    [Fact]
    public void Parse_LineOfExactlyTheLimitWithCrLf_Accepted()
    {
        var valid = BrokenLines.Valid;
        var (parser, _) = Create(valid.Length);
        var (records, dead) = ParseSpan(parser, Encoding.UTF8.GetBytes(valid + "\r\n" + valid + " \r\n" + valid));
        Assert.Equal(2, records.Count);
        Assert.Equal("line exceeds " + valid.Length + " bytes", Assert.Single(dead).Reason);
    }

    [Fact]
    public void Parse_RecordSplitOverTwoLines_BothLinesRejected()
    {
        var (parser, _) = Create();
        var data = Encoding.UTF8.GetBytes("{\"deviceId\":\"d\",\n\"timestamp\":1,\"sensorType\":\"s\",\"payload\":{\"value\":1}}\n" + BrokenLines.Valid);
        var (records, dead) = ParseSpan(parser, data);
        Assert.Single(records);
        Assert.Equal(2, dead.Count);
        Assert.Equal("expected field name after field 'deviceId' at column 17, found end of line", dead[0].Reason);
        Assert.Equal("expected '{' at column 1, found '\"'", dead[1].Reason);
        Assert.Equal(1000 + 17, dead[1].Position);
    }

    [Fact]
    public void Parse_BlankLinesAndCrLf_SkippedAndCounted()
    {
        var (parser, _) = Create();
        var data = Encoding.UTF8.GetBytes("\n\r\n  \n" + BrokenLines.Valid + "\r\n\t\n" + BrokenLines.Valid);
        var (records, dead) = ParseSpan(parser, data);
        Assert.Equal(2, records.Count);
        Assert.Empty(dead);
    }

    [Fact]
    public void TryParseLine_UsualRecord_AllFieldsSet()
    {
        var (parser, _) = Create();
        Assert.True(parser.TryParseLine(Encoding.UTF8.GetBytes(BrokenLines.Valid), out var t, out _));
        Assert.Equal("dev-001", parser.Symbols.NameOf(t.Device));
        Assert.Equal("temperature", parser.Symbols.NameOf(t.Sensor));
        Assert.Equal("Celsius", parser.Symbols.NameOf(t.Unit));
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 0, 123, TimeSpan.Zero).ToUnixTimeMilliseconds(), t.Timestamp);
        Assert.Equal(21.5, t.Value);
        Assert.Equal(52.52, t.Latitude);
        Assert.Equal(13.405, t.Longitude);
        Assert.Equal(TelemetryFlags.Location | TelemetryFlags.Correlation, t.Flags);
        Assert.Equal(new UInt128(0x3f2504e04f8911d3, 0x9a0c0305e82c3301), t.CorrelationId);
    }

    [Fact]
    public void TryParseLine_VectorPayload_MagnitudeAndFlag()
    {
        var (parser, _) = Create();
        var line = """{"deviceId":"d","timestamp":"2024-05-01T14:00:00.123456789+02:00","sensorType":"vibration","payload":{"x":3,"y":4,"z":12}}"""u8;
        Assert.True(parser.TryParseLine(line, out var t, out _));
        Assert.True(t.IsVector);
        Assert.Equal(13.0, t.Value);
        Assert.Equal((3.0, 4.0, 12.0), (t.X, t.Y, t.Z));
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 0, 123, TimeSpan.Zero).ToUnixTimeMilliseconds(), t.Timestamp);
    }

    [Fact]
    public void TryParseLine_EscapedDeviceId_UnescapedBeforeInterning()
    {
        var (parser, _) = Create();
        var line = """{"deviceId":"dev\u002d\"7\"\\\ud83d\ude00","timestamp":0,"sensorType":"t","payload":{"value":-0.5e-3}}"""u8;
        Assert.True(parser.TryParseLine(line, out var t, out _));
        Assert.Equal("dev-\"7\"\\😀", parser.Symbols.NameOf(t.Device));
        Assert.Equal(-0.0005, t.Value);
    }

    [Fact]
    public void TryParseLine_NonUuidCorrelation_HashedWithXxHash128()
    {
        var (parser, _) = Create();
        var line = """{"deviceId":"d","timestamp":0,"sensorType":"t","payload":{"value":1},"correlationId":"trace-42"}"""u8;
        Assert.True(parser.TryParseLine(line, out var t, out _));
        Assert.Equal(System.IO.Hashing.XxHash128.HashToUInt128("trace-42"u8), t.CorrelationId);
    }

    [Fact]
    public void TryParseLine_Failure_ReasonOnlyBuiltOnRequest()
    {
        var (parser, _) = Create();
        var line = """{"deviceId":"d","timestamp":1,"sensorType":"s" "payload":{"value":1}}"""u8;
        Assert.False(parser.TryParseLine(line, out _, out var failure));
        Assert.Equal(TelemetryParseError.ExpectedCommaOrEnd, failure.Error);
        Assert.Equal(TelemetryField.SensorType, failure.Field);
        Assert.Equal(48, failure.Column);
        Assert.Equal("expected ',' or '}' after field 'sensorType' at column 48", parser.Describe(failure, line));
    }

    [Fact]
    public void Parse_SteadyState_AllocatesNothingPerRecord()
    {
        var (parser, _) = Create();
        var lines = Enumerable.Range(0, 2000).Select(k =>
            $$$"""{"deviceId":"dev-{{{k % 100}}}","timestamp":"2024-05-01T12:00:{{{k % 60:00}}}.5Z","sensorType":"temperature","payload":{"value":{{{k}}}.25,"unit":"C"},"correlationId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","location":{"lat":1.5,"lon":2.5}}""");
        var data = Encoding.UTF8.GetBytes(string.Join("\n", lines));
        var batch = new BatchPool<Platform.Engine.Records.Telemetry>(4096).Rent();
        var dlq = new ListDeadLetterSink();
        parser.Parse(data, "s", 0, 0, batch, dlq); // warm up: interns the symbols, JITs the code
        // Steady state = the best of a few passes: tiered JIT may rewrite code between the first ones.
        var allocated = long.MaxValue;
        for (var pass = 0; pass < 5 && allocated != 0; pass++)
        {
            batch.Clear();
            var before = GC.GetAllocatedBytesForCurrentThread();
            parser.Parse(data, "s", 0, 0, batch, dlq);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(2000, batch.Count);
        }
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Parse_FiveTablesAlternatingOnOneThread_EachRecordResolvesInItsOwnTable()
    {
        var tables = Enumerable.Range(0, 5).Select(k =>
        {
            var table = new SymbolTable();
            for (var j = 0; j < k * 7; j++) table.Intern($"filler-{j}"); // different ids per table
            return new TelemetryNdjsonParser(table);
        }).ToArray();
        var data = BuildNdjson(new Random(11), 200, crlf: false);
        var expected = ParseSpan(Create().Parser, data).Records;
        for (var round = 0; round < 3; round++)
        {
            foreach (var parser in tables) Assert.Equal(expected, ParseSpan(parser, data).Records);
        }
    }

    [Fact]
    public void Parse_ConcurrentChunks_SameResultAsSequential()
    {
        var (parser, _) = Create();
        var chunks = Enumerable.Range(0, 8).Select(k => BuildNdjson(new Random(k), 300, crlf: false)).ToArray();
        var sequential = chunks.Select(c => ParseSpan(parser, c)).ToArray();
        var parallel = new (List<ExpectedTelemetry>, IReadOnlyList<DeadLetter>)[chunks.Length];
        Parallel.For(0, chunks.Length, k => parallel[k] = ParseSpan(parser, chunks[k]));
        for (var k = 0; k < chunks.Length; k++)
        {
            Assert.Equal(sequential[k].Records, parallel[k].Item1);
            AssertSameDeadLetters(sequential[k].Dead, parallel[k].Item2);
        }
    }
}
