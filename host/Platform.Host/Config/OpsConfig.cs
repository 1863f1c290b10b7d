using Platform.Host.Config.Binding;
using Platform.Sinks.Alerts;
using YamlDotNet.RepresentationModel;

namespace Platform.Host.Config;

/// <summary>How lines are read before parsing (<c>parser</c>).</summary>
/// <param name="SkipPrefix">Ignore anything before the first '{' of a line, such as a log prefix (<c>skip-prefix</c>, default false).</param>
internal sealed record ParserConfig(bool SkipPrefix)
{
    /// <summary>All defaults.</summary>
    public static ParserConfig Default { get; } = new(false);
}

/// <summary>A per-pipeline run report POSTed at the end of a run, in the shape of the seed's Monte Carlo step (<c>run-report</c>).</summary>
/// <param name="Url">Where to POST (<c>url</c>, http or https, required).</param>
/// <param name="Id">API key id sent as <c>x-mc-id</c> (<c>id</c>: env:NAME or file:PATH#KEY).</param>
/// <param name="Token">API token sent as <c>x-mc-token</c> (<c>token</c>: env:NAME or file:PATH#KEY).</param>
/// <param name="Organization">Sent as <c>x-mc-organization-id</c> (<c>organization</c>).</param>
/// <param name="Namespace">The job namespace (<c>namespace</c>, default platform).</param>
internal sealed record RunReportConfig(string Url, string? Id, string? Token, string? Organization, string Namespace);

/// <summary>OpenTelemetry tracing (<c>tracing</c>); absent = off, at no cost.</summary>
/// <param name="Endpoint">The OTLP collector (<c>endpoint</c>, default http://127.0.0.1:4317).</param>
/// <param name="Protocol">grpc or http-protobuf (<c>protocol</c>, default grpc).</param>
/// <param name="ServiceName">The service.name resource attribute (<c>service-name</c>, default platform).</param>
/// <param name="SampleRatio">Share of traces kept, 0..1 (<c>sample-ratio</c>, default 1).</param>
internal sealed record TracingConfig(string Endpoint, OtlpProtocolName Protocol, string ServiceName, double SampleRatio);

/// <summary>OTLP transport.</summary>
internal enum OtlpProtocolName
{
    Grpc,
    HttpProtobuf,
}

/// <summary>Alerts (<c>alerts</c>): who is notified and how often. Secrets only as env:NAME or file:PATH#KEY.</summary>
/// <param name="MinSeverity">Alerts below this are shown on the dashboard only (<c>min-severity</c>, default warning).</param>
/// <param name="Template">Message template (<c>template</c>; placeholders {key} {value} {score} {time} {severity} {source} {message} {low} {high}).</param>
/// <param name="Burst">At most this many notifications per key in a burst (<c>burst</c>, default 3).</param>
/// <param name="Refill">One more per key after this long (<c>refill</c>, default 10m).</param>
/// <param name="Dedup">The same key, severity and source within this is a duplicate (<c>dedup</c>, default 5m).</param>
/// <param name="Quiet">Nothing more for a key this long after a notification unless it escalates (<c>quiet</c>, default 1m).</param>
/// <param name="Sinks">The channels (<c>sinks</c>: webhook, twilio, sendgrid).</param>
internal sealed record AlertsConfig(AlertSeverity MinSeverity, string Template, int Burst, TimeSpan Refill, TimeSpan Dedup, TimeSpan Quiet, EquatableList<AlertSinkConfig> Sinks)
{
    /// <summary>Where every alert is kept, unthrottled (<c>record</c>: duckdb, kafka).</summary>
    public EquatableList<AlertRecordConfig> Record { get; init; } = EquatableList<AlertRecordConfig>.Empty;
}

/// <summary>One notification channel of <c>alerts.sinks</c>.</summary>
internal abstract record AlertSinkConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public abstract string Type { get; }
}

/// <summary>A signed JSON webhook (<c>type: webhook</c>): <c>url</c>, <c>secret</c>.</summary>
internal sealed record WebhookAlertConfig(string Url, string Secret) : AlertSinkConfig
{
    public override string Type => "webhook";
}

/// <summary>Twilio SMS (<c>type: twilio</c>): <c>account-sid</c>, <c>token</c>, <c>from</c>, <c>to</c>, <c>base-url</c>.</summary>
internal sealed record TwilioAlertConfig(string AccountSid, string Token, string From, EquatableList<string> To, string? BaseUrl) : AlertSinkConfig
{
    public override string Type => "twilio";
}

/// <summary>SendGrid e-mail (<c>type: sendgrid</c>): <c>api-key</c>, <c>from</c>, <c>to</c>, <c>subject</c>, <c>base-url</c>.</summary>
internal sealed record SendGridAlertConfig(string ApiKey, string From, EquatableList<string> To, string Subject, string? BaseUrl) : AlertSinkConfig
{
    public override string Type => "sendgrid";
}

/// <summary>Binds <c>parser</c>, <c>alerts</c>, <c>run-report</c> and <c>tracing</c>.</summary>
internal static class OpsBinders
{
    private static readonly string[] AlertSinkTypes = ["webhook", "twilio", "sendgrid"];

    public static ParserConfig Bind(MappingReader? reader, ParserConfig fallback)
    {
        if (reader is null) return fallback;
        var config = new ParserConfig(Bool(reader, "skip-prefix", false));
        reader.ReportUnknownKeys();
        return config;
    }

    public static TracingConfig? BindTracing(MappingReader? reader)
    {
        if (reader is null) return null;
        var endpoint = Url(reader, "endpoint", required: false) ?? "http://127.0.0.1:4317";
        var protocol = reader.Enum("protocol", OtlpProtocolName.Grpc);
        var service = reader.String("service-name") ?? "platform";
        var ratio = reader.Double("sample-ratio", 1, 0, 1);
        reader.ReportUnknownKeys();
        return new TracingConfig(endpoint, protocol, service, ratio);
    }

    public static RunReportConfig? BindRunReport(MappingReader? reader)
    {
        if (reader is null) return null;
        var errors = reader.Context.Errors.Count;
        var url = Url(reader, "url", required: true);
        var id = SecretRef(reader, "id", required: false);
        var token = SecretRef(reader, "token", required: false);
        var organization = reader.String("organization");
        var ns = reader.String("namespace") ?? "platform";
        reader.ReportUnknownKeys();
        return reader.Context.Errors.Count == errors && url is not null ? new RunReportConfig(url, id, token, organization, ns) : null;
    }

    public static AlertsConfig? BindAlerts(MappingReader? reader)
    {
        if (reader is null) return null;
        var errors = reader.Context.Errors.Count;
        var severity = reader.Enum("min-severity", AlertSeverity.Warning);
        var template = reader.String("template") ?? AlertTemplate.DefaultText;
        try
        {
            AlertTemplate.Parse(template);
        }
        catch (FormatException e)
        {
            reader.Context.Error(reader.Get("template"), e.Message, "use {key}, {value}, {score}, {time}, {severity}, {source}, {message}, {low}, {high}; write {{ and }} for braces");
        }
        var burst = reader.Int32("burst", AlertThrottleOptions.DefaultBurst, 1, 1_000_000);
        var refill = reader.Duration("refill", AlertThrottleOptions.DefaultRefillInterval, TimeSpan.FromMilliseconds(1));
        var dedup = reader.Duration("dedup", AlertThrottleOptions.DefaultDeduplicationWindow, TimeSpan.Zero);
        var quiet = reader.Duration("quiet", AlertThrottleOptions.DefaultQuietPeriod, TimeSpan.Zero);
        var sinks = new List<AlertSinkConfig>();
        foreach (var item in reader.Sequence("sinks")?.Children ?? [])
        {
            if (item is not YamlMappingNode mapping)
            {
                reader.Context.Error(item, $"an alert sink must be a mapping with 'type', got {MappingReader.Describe(item)}", "write '- type: webhook' and its fields below it");
                continue;
            }
            var sink = new MappingReader(mapping, "alert sink", reader.Context);
            var type = sink.String("type", requiredExample: string.Join(" | ", AlertSinkTypes));
            if (type is null) continue;
            if (!AlertSinkTypes.Contains(type, StringComparer.Ordinal))
            {
                reader.Context.Error(sink.Get("type"), $"unknown alert sink type '{type}'", DidYouMean.Hint(type, AlertSinkTypes, "alert sinks"));
                continue;
            }
            sink.What = $"{type} alert sink";
            AlertSinkConfig? bound = type switch
            {
                "webhook" => Url(sink, "url", required: true) is { } url && SecretRef(sink, "secret", required: true) is { } secret ? new WebhookAlertConfig(url, secret) : null,
                "twilio" => BindTwilio(sink),
                _ => BindSendGrid(sink),
            };
            sink.ReportUnknownKeys();
            if (bound is not null) sinks.Add(bound);
        }
        var record = AlertRecordBinder.Bind(reader);
        reader.ReportUnknownKeys();
        return reader.Context.Errors.Count == errors
            ? new AlertsConfig(severity, template, burst, refill, dedup, quiet, new EquatableList<AlertSinkConfig>(sinks)) { Record = record }
            : null;
    }

    private static TwilioAlertConfig? BindTwilio(MappingReader sink)
    {
        var sid = sink.String("account-sid", requiredExample: "AC0123456789abcdef0123456789abcdef");
        var token = SecretRef(sink, "token", required: true);
        var from = sink.String("from", requiredExample: "\"+15005550006\"");
        var to = sink.ScalarList("to", "[\"+14155550100\"]", requiredExample: "[\"+14155550100\"]");
        var baseUrl = Url(sink, "base-url", required: false);
        return sid is not null && token is not null && from is not null && to is { Count: > 0 }
            ? new TwilioAlertConfig(sid, token, from, new EquatableList<string>(to.Select(t => t.Text)), baseUrl)
            : null;
    }

    private static SendGridAlertConfig? BindSendGrid(MappingReader sink)
    {
        var key = SecretRef(sink, "api-key", required: true);
        var from = sink.String("from", requiredExample: "alerts@example.com");
        var to = sink.ScalarList("to", "[ops@example.com]", requiredExample: "[ops@example.com]");
        var subject = sink.String("subject") ?? SendGridEmailOptions.DefaultSubject;
        var baseUrl = Url(sink, "base-url", required: false);
        return key is not null && from is not null && to is { Count: > 0 }
            ? new SendGridAlertConfig(key, from, new EquatableList<string>(to.Select(t => t.Text)), subject, baseUrl)
            : null;
    }

    /// <summary>A secret reference: env:NAME or file:PATH#KEY — never the secret itself.</summary>
    private static string? SecretRef(MappingReader reader, string key, bool required)
    {
        var text = reader.String(key, required ? "env:NAME" : null);
        if (text is null) return null;
        var ok = (text.StartsWith("env:", StringComparison.Ordinal) && text.Length > 4)
                 || (text.StartsWith("file:", StringComparison.Ordinal) && text.LastIndexOf('#') > 5 && !text.EndsWith('#'));
        if (!ok)
        {
            // Never echo the value: it may be the secret itself.
            reader.Context.Error(reader.Get(key), $"'{key}' must name where the secret is, not hold it",
                $"write '{key}: env:VARIABLE' or '{key}: file:/path/to/secrets.env#KEY'");
            return null;
        }
        return text;
    }

    private static string? Url(MappingReader reader, string key, bool required)
    {
        var text = reader.String(key, required ? "http://127.0.0.1:8080/alerts" : null);
        if (text is null) return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            reader.Context.Error(reader.Get(key), $"'{key}' must be an http or https URL, got '{text}'", $"write e.g. '{key}: https://example.com/hook'");
            return null;
        }
        return text;
    }

    private static bool Bool(MappingReader reader, string key, bool fallback)
    {
        var text = reader.String(key);
        if (text is null) return fallback;
        if (bool.TryParse(text, out var value)) return value;
        reader.Context.Error(reader.Get(key), $"'{key}' must be true or false, got '{text}'", $"write '{key}: true'");
        return fallback;
    }
}
