using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Platform.Connectors.Aws;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Sinks.Kinesis;

namespace Platform.Bench.Aws;

/// <summary>
/// The Kinesis sink's own cost: telemetry records encoded as JSON, batched to PutRecords calls,
/// base64'd into the request, signed (SigV4) and sent to an endpoint that answers at once — never
/// kinesis-local, which is the bottleneck at ~1 k records/s. <c>Loopback</c> sends over HTTP to an
/// HttpListener on 127.0.0.1 (its own allocations count too); <c>InMemory</c> answers in an
/// HttpMessageHandler, so "Allocated" is the sink's alone. One operation = one record.
/// Run: <c>dotnet run -c Release --project bench/Platform.Bench -- micro --filter '*KinesisSinkBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class KinesisSinkBenchmarks : IDisposable
{
    public const int Records = 20_000;
    private const int BatchSize = 1000;

    private static readonly byte[][] Answers = Enumerable.Range(0, 501)
        .Select(n => Encoding.UTF8.GetBytes("{\"FailedRecordCount\":0,\"Records\":[" +
            string.Join(',', Enumerable.Repeat("{\"SequenceNumber\":\"49590338271490256608559692538361571095921575989136588898\",\"ShardId\":\"shardId-000000000000\"}", n)) + "]}"))
        .ToArray();

    private HttpListener? _listener;
    private Task? _loop;
    private ISink<Telemetry> _sink = null!;
    private Batch<Telemetry>[] _batches = [];

    [Params("Loopback", "InMemory")]
    public string Endpoint { get; set; } = "Loopback";

    [GlobalSetup]
    public void Setup()
    {
        var symbols = new SymbolTable();
        var pool = new BatchPool<Telemetry>(BatchSize);
        var sensors = new[] { symbols.Intern("temperature"), symbols.Intern("humidity"), symbols.Intern("pressure"), symbols.Intern("vibration") };
        var unit = symbols.Intern("Celsius");
        _batches = new Batch<Telemetry>[Records / BatchSize];
        for (var b = 0; b < _batches.Length; b++)
        {
            _batches[b] = pool.Rent();
            for (var i = 0; i < BatchSize; i++)
            {
                var n = b * BatchSize + i;
                _batches[b].Add(new Telemetry
                {
                    Device = symbols.Intern("dev-" + (n % 10_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture)),
                    Sensor = sensors[n % 4],
                    Unit = unit,
                    Timestamp = 1_700_000_000_000 + n,
                    Value = 20 + (n % 100) * 0.01,
                });
            }
        }
        Uri endpoint;
        HttpMessageHandler? handler = null;
        if (Endpoint == "Loopback")
        {
            var port = FreePort();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = Task.Run(ServeAsync);
            endpoint = new Uri($"http://127.0.0.1:{port}/");
        }
        else
        {
            endpoint = new Uri("http://in-memory.invalid/");
            handler = new AnswerAtOnceHandler();
        }
        _sink = new KinesisSinkOptions
        {
            StreamName = "bench",
            Concurrency = 4,
            Client = new AwsClientOptions { Endpoint = endpoint, Credentials = new AwsCredentials("AKIDBENCH", "bench-secret") },
        }.CreateSink<Telemetry, TelemetryJsonEncoder>(new TelemetryJsonEncoder(symbols), new CountingDeadLetterSink(), handler: handler);
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task PutRecords()
    {
        foreach (var batch in _batches) await _sink.WriteAsync(batch, CancellationToken.None);
        await _sink.FlushAsync(CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _sink.DisposeAsync();
        _listener?.Stop();
        if (_loop is not null) await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        _listener?.Close();
    }

    public void Dispose()
    {
        (_listener as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static int CountEntries(ReadOnlySpan<byte> body)
    {
        var n = 0;
        for (int at; (at = body.IndexOf("\"PartitionKey\""u8)) >= 0; body = body[(at + 14)..]) n++;
        return n;
    }

    private async Task ServeAsync()
    {
        var buffer = new byte[8 << 20];
        while (_listener!.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            var length = 0;
            int read;
            while ((read = await context.Request.InputStream.ReadAsync(buffer.AsMemory(length))) > 0) length += read;
            var answer = Answers[Math.Min(500, CountEntries(buffer.AsSpan(0, length)))];
            context.Response.StatusCode = 200;
            context.Response.ContentLength64 = answer.Length;
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private sealed class AnswerAtOnceHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // A pooled buffer per call: a buffer per thread would be allocated again on every new pool thread and
            // counted against the sink. The body is at most ~7 MB (5 MiB of data, base64'd, plus keys).
            var stream = await request.Content!.ReadAsStreamAsync(cancellationToken);
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(8 << 20);
            try
            {
                var length = 0;
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0) length += read;
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Answers[Math.Min(500, CountEntries(buffer.AsSpan(0, length)))]) };
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
