using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>Where the Schema Registry is and how Platform's Avro serdes use it. Immutable; validated on build.</summary>
public sealed record SchemaRegistryOptions
{
    /// <summary>Default HTTP timeout of a registry request.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Default number of schemas the client caches.</summary>
    public const int DefaultMaxCachedSchemas = 1000;

    /// <summary>The registry's base URL, e.g. <c>http://127.0.0.1:8081</c>. Required.</summary>
    public required string Url { get; init; }

    /// <summary>How subjects are named. Default <see cref="SubjectNaming.Topic"/>.</summary>
    public SubjectNaming SubjectNaming { get; init; } = SubjectNaming.Topic;

    /// <summary>
    /// Whether a producer registers its writer schema on first use (true, default) or only looks it up
    /// (false: <c>POST /subjects/{subject}</c>, failing when a schema owner has not registered it).
    /// </summary>
    public bool AutoRegisterSchemas { get; init; } = true;

    /// <summary>HTTP timeout of one registry request. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary>Schemas the client keeps cached. Default 1000.</summary>
    public int MaxCachedSchemas { get; init; } = DefaultMaxCachedSchemas;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"schema registry url '{Url}' is not an absolute http(s) URL; write e.g. http://127.0.0.1:8081.");
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentException("schema registry request timeout must be positive.");
        if (MaxCachedSchemas < 1) throw new ArgumentException("schema registry cache must hold at least one schema.");
    }

    /// <summary>A caching registry client for these options (the caller disposes it).</summary>
    public CachedSchemaRegistryClient CreateClient()
    {
        Validate();
        return new CachedSchemaRegistryClient(new SchemaRegistryConfig
        {
            Url = Url,
            RequestTimeoutMs = (int)RequestTimeout.TotalMilliseconds,
            MaxCachedSchemas = MaxCachedSchemas,
        });
    }

    /// <summary>The Confluent serializer settings these options mean.</summary>
    public AvroSerializerConfig SerializerConfig() => new()
    {
        AutoRegisterSchemas = AutoRegisterSchemas,
        SubjectNameStrategy = SubjectNaming.ToConfluent(),
    };

    /// <summary>The Confluent deserializer settings these options mean.</summary>
    public AvroDeserializerConfig DeserializerConfig() => new()
    {
        SubjectNameStrategy = SubjectNaming.ToConfluent(),
    };
}
