using Platform.Connectors.Aws;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Sinks.EventBridge;

namespace Platform.Aws.Tests.EventBridge;

/// <summary>The shared window-result sink contract, run against the EventBridge sink and the local PutEvents endpoint.</summary>
public sealed class EventBridgeSinkContractTests : SinkContractTests, IAsyncLifetime
{
    private readonly FakeEventBridge _fake = new();

    protected override ISink<WindowResult> CreateSink() => new EventBridgeSinkOptions
    {
        Source = "platform.iot",
        DetailType = "Telemetry Window Closed",
        Client = new AwsClientOptions { Endpoint = _fake.Uri, Credentials = new AwsCredentials("AKIDCONTRACT", FakeEventBridge.Secret) },
    }.CreateSink<WindowResult, WindowResultDetailWriter>(default, new CountingDeadLetterSink());

    protected override Task<IReadOnlyList<SinkRow>?> ReadBackAsync(ISink<WindowResult> sink)
    {
        Assert.Empty(_fake.Violations);
        IReadOnlyList<SinkRow> rows = _fake.Accepted.Select(d =>
        {
            var key = SensorKey.FromPacked(d.GetProperty("key").GetInt64());
            return new SinkRow(Symbols.NameOf(key.Device), Symbols.NameOf(key.Sensor), d.GetProperty("windowStart").GetInt64(), d.GetProperty("count").GetInt64(), d.GetProperty("sum").GetDouble());
        }).ToList();
        return Task.FromResult<IReadOnlyList<SinkRow>?>(rows);
    }

    protected override long CountOf(ISink<WindowResult> sink) => _fake.Accepted.Count;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    ValueTask IAsyncDisposable.DisposeAsync() => _fake.DisposeAsync();
}
