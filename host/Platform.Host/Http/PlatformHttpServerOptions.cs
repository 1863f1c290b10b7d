namespace Platform.Host.Http;

/// <summary>Settings of <see cref="PlatformHttpServer"/>. The server binds 127.0.0.1 only.</summary>
internal sealed record PlatformHttpServerOptions
{
    /// <summary>The default prefix of the meters exported on /metrics.</summary>
    public const string DefaultMeterPrefix = "Platform";

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one (see <see cref="PlatformHttpServer.Port"/>).</summary>
    public int Port { get; init; }

    /// <summary>Meters whose name equals this or starts with it plus '.' are exported (default "Platform").</summary>
    public string MeterPrefix { get; init; } = DefaultMeterPrefix;

    /// <summary>
    /// How long a meter series may stay unchanged before prometheus-net forgets it. The longest
    /// prometheus-net allows (one day) by default: a counter that stays put (DLQ, late records) is
    /// still worth showing.
    /// </summary>
    public TimeSpan MetricsExpireAfter { get; init; } = TimeSpan.FromDays(1);
}
