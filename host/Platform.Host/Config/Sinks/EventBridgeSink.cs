using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Host.Config.Binding;
using Platform.Host.Config.Sources;
using Platform.Sinks.EventBridge;

namespace Platform.Host.Config.Sinks;

/// <summary>Window results as EventBridge events (<c>type: eventbridge</c>), one per window.</summary>
/// <param name="Bus">Event bus name or ARN (<c>bus</c>, default "default").</param>
/// <param name="EventSource">The events' Source (<c>source</c>, required, e.g. platform.iot; not "aws.…").</param>
/// <param name="DetailType">The events' DetailType as words (<c>detail-type</c>, required): "telemetry.window_closed" is sent as "Telemetry Window Closed".</param>
/// <param name="Resources">ARNs the events concern (<c>resources</c>, ≤ 10).</param>
/// <param name="IncludeTime">Send the window end as the event Time (<c>include-time</c>, default true).</param>
/// <param name="Aws">Region, endpoint, credentials, retries (<see cref="AwsConnectionConfig"/>).</param>
/// <param name="Concurrency">PutEvents calls in flight (<c>concurrency</c>, 1–64, default 2).</param>
/// <param name="MaxAttempts">Attempts per event before it goes to the dead letters (<c>max-attempts</c>, 1–100, default 8).</param>
internal sealed record EventBridgeSinkConfig(string Bus, string EventSource, string DetailType, EquatableList<string> Resources, bool IncludeTime,
    AwsConnectionConfig Aws, int Concurrency, int MaxAttempts) : SinkConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "eventbridge";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <summary>The DetailType sent: the configured words in AWS's title style, for rules to match on.</summary>
    public string EventDetailType => EventBridgeSinkOptions.DetailTypeFrom(DetailType);

    /// <summary>The sink's options (reads credentials from the environment now).</summary>
    public EventBridgeSinkOptions ToOptions() => new()
    {
        EventBusName = Bus,
        Source = EventSource,
        DetailType = EventDetailType,
        Resources = [.. Resources],
        IncludeTime = IncludeTime,
        Client = Aws.ToOptions(),
        Concurrency = Concurrency,
        MaxAttempts = MaxAttempts,
        RetryBaseDelay = Aws.RetryBaseDelay,
        RetryMaxDelay = Aws.RetryMaxDelay,
    };

    /// <summary>Builds the sink: each window's Detail names its device and sensor.</summary>
    public ISink<WindowResult> CreateSink(SymbolTable symbols, IDeadLetterSink deadLetters) =>
        ToOptions().CreateSink<WindowResult, WindowResultDetailWriter>(new WindowResultDetailWriter(symbols), deadLetters);
}

/// <summary>Binds <c>type: eventbridge</c> in <c>sinks</c>.</summary>
internal static class EventBridgeSink
{
    /// <summary>The registry entry.</summary>
    public static SinkKind Kind { get; } = new(EventBridgeSinkConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SinkConfig config)
    {
        var e = (EventBridgeSinkConfig)config;
        return
        [
            ConfigYaml.Pair("bus", ConfigYaml.Text(e.Bus)),
            ConfigYaml.Pair("source", ConfigYaml.Text(e.EventSource)),
            ConfigYaml.Pair("detail-type", ConfigYaml.Text(e.DetailType)),
            ConfigYaml.Pair("resources", ConfigYaml.List(e.Resources)),
            ConfigYaml.Pair("include-time", e.IncludeTime ? "true" : "false"),
            .. e.Aws.Write(),
            ConfigYaml.Pair("concurrency", ConfigYaml.Number(e.Concurrency)),
            ConfigYaml.Pair("max-attempts", ConfigYaml.Number(e.MaxAttempts)),
        ];
    }

    private static EventBridgeSinkConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var bus = reader.String("bus") ?? "default";
        if (bus.Length > 1600 || bus.Any(char.IsWhiteSpace))
            reader.Context.Error(reader.Get("bus"), $"'bus' must be an event bus name or ARN without spaces, got '{bus}'", "write e.g. 'bus: platform-events', or leave it out for the default bus");
        var source = reader.String("source", requiredExample: "platform.iot");
        if (source is not null && source.StartsWith("aws.", StringComparison.Ordinal))
            reader.Context.Error(reader.Get("source"), $"'source' must not start with 'aws.' (reserved for AWS services), got '{source}'", "write e.g. 'source: platform.iot'");
        else if (source is { Length: > 256 })
            reader.Context.Error(reader.Get("source"), $"'source' has {source.Length} characters; EventBridge allows 256", "write e.g. 'source: platform.iot'");
        var detailType = reader.String("detail-type", requiredExample: "telemetry.window_closed");
        if (detailType is not null)
        {
            var sent = EventBridgeSinkOptions.DetailTypeFrom(detailType);
            if (sent.Length == 0)
                reader.Context.Error(reader.Get("detail-type"), $"'detail-type' has no words, got '{detailType}'", "write e.g. 'detail-type: telemetry.window_closed' (sent as \"Telemetry Window Closed\")");
            else if (sent.Length > 128)
                reader.Context.Error(reader.Get("detail-type"), $"'detail-type' becomes {sent.Length} characters (\"{sent[..40]}…\"); EventBridge allows 128", "use fewer words");
        }
        var resources = reader.ScalarList("resources", "[arn:aws:iot:eu-west-1:123456789012:thing/dev-1]") ?? [];
        if (resources.Count > 10)
            reader.Context.Error(reader.Get("resources"), $"'resources' has {resources.Count} ARNs; PutEvents allows 10", "keep at most 10");
        foreach (var (text, node) in resources)
        {
            if (!text.StartsWith("arn:", StringComparison.Ordinal))
                reader.Context.Error(node, $"each item of 'resources' must be an ARN, got '{text}'", "write e.g. 'arn:aws:iot:eu-west-1:123456789012:thing/dev-1'");
        }
        var includeTime = Bool(reader, "include-time", true);
        var aws = AwsConnectionConfig.Bind(reader);
        var concurrency = reader.Int32("concurrency", EventBridgeSinkOptions.DefaultConcurrency, 1, 64);
        var attempts = reader.Int32("max-attempts", EventBridgeSinkOptions.DefaultMaxAttempts, 1, 100);
        return reader.Context.Errors.Count == errors && source is not null && detailType is not null && aws is not null
            ? new EventBridgeSinkConfig(bus, source, detailType, new EquatableList<string>([.. resources.Select(r => r.Text)]), includeTime, aws, concurrency, attempts)
            : null;
    }

    private static bool Bool(MappingReader reader, string key, bool fallback)
    {
        var text = reader.String(key);
        if (text is null) return fallback;
        if (bool.TryParse(text, out var value)) return value;
        reader.Context.Error(reader.Get(key), $"'{key}' must be true or false, got '{text}'", $"write '{key}: {(fallback ? "true" : "false")}'");
        return fallback;
    }
}
