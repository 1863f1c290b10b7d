using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Platform.Engine.Tracing;
using Platform.Host.Config;

namespace Platform.Host.Running;

/// <summary>
/// Turns on OpenTelemetry tracing for the <c>tracing</c> section: a tracer provider subscribed to the
/// engine's <see cref="EngineTracing.Source"/>, exporting over OTLP. Without the section nothing
/// subscribes, so the engine's spans are never created.
/// </summary>
internal static class TracingSetup
{
    /// <summary>The provider (dispose it to flush and stop), or null when tracing is off.</summary>
    public static TracerProvider? Start(TracingConfig? config, Action<TracerProviderBuilder>? extra = null)
    {
        if (config is null) return null;
        var builder = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(config.ServiceName))
            .AddSource(EngineTracing.SourceName)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(config.SampleRatio)))
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(config.Endpoint);
                o.Protocol = config.Protocol == OtlpProtocolName.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            });
        extra?.Invoke(builder);
        return builder.Build();
    }
}
