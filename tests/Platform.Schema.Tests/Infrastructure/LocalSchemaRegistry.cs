using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AvroSchema = Avro.Schema;

namespace Platform.Schema.Tests.Infrastructure;

/// <summary>
/// A Schema Registry for tests: Kestrel on 127.0.0.1 (a free port) speaking the REST endpoints the
/// Confluent serdes and client call — register (<c>POST /subjects/{s}/versions</c>), look up
/// (<c>POST /subjects/{s}</c>), fetch by id (<c>GET /schemas/ids/{id}</c>), latest/versioned reads,
/// compatibility config and checks (BACKWARD by default, Avro resolution rules via
/// <see cref="AvroSchema.CanRead"/>), and the association probe (<c>GET /associations/resources/…</c>,
/// answered 404 as a registry without associations does). Ids are global and content-addressed, as
/// in the real registry. Every request is logged so tests can assert what the clients did.
/// </summary>
internal sealed class LocalSchemaRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<string> _schemasById = [""]; // ids start at 1
    private readonly Dictionary<string, int> _idByCanonical = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _versionsBySubject = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _compatibilityBySubject = new(StringComparer.Ordinal);
    private string _globalCompatibility = "BACKWARD";

    private LocalSchemaRegistry(WebApplication app) => _app = app;

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Every request, as "METHOD /path?query", in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>When set, every request fails with 503 (registry outage).</summary>
    public bool Unavailable
    {
        get => Volatile.Read(ref _unavailable);
        set => Volatile.Write(ref _unavailable, value);
    }

    private bool _unavailable;

    /// <summary>Subjects and their schema ids by version (index 0 = version 1).</summary>
    public IReadOnlyDictionary<string, int[]> Subjects
    {
        get
        {
            lock (_gate) return _versionsBySubject.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        }
    }

    /// <summary>Starts a registry; dispose to stop it.</summary>
    public static async Task<LocalSchemaRegistry> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var registry = new LocalSchemaRegistry(app);
        registry.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        registry.Url = address.TrimEnd('/');
        return registry;
    }

    /// <summary>Registers a schema directly (as a schema owner would with auto-registration off); returns its id.</summary>
    public int Register(string subject, string schema)
    {
        lock (_gate)
        {
            var (status, body) = RegisterLocked(subject, schema);
            if (status != 200) throw new InvalidOperationException($"register {subject}: {status} {body}");
            return body["id"]!.GetValue<int>();
        }
    }

    /// <summary>Sets a subject's compatibility level (BACKWARD, FORWARD, FULL, NONE, and *_TRANSITIVE).</summary>
    public void SetCompatibility(string subject, string level)
    {
        lock (_gate) _compatibilityBySubject[subject] = level;
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            if (Unavailable)
            {
                await Error(context, HttpStatusCode.ServiceUnavailable, 50003, "registry unavailable (test outage)");
                return;
            }
            await next(context);
        });

        app.MapGet("/associations/resources/{ns}/{resource}", (HttpContext c) =>
            Error(c, HttpStatusCode.NotFound, 40404, "No associations found"));

        app.MapPost("/subjects/{subject}/versions", async (string subject, HttpContext c) =>
        {
            var schema = await ReadSchemaAsync(c);
            if (schema is null) { await Error(c, HttpStatusCode.UnprocessableEntity, 42201, "Invalid schema"); return; }
            int status; JsonObject body;
            lock (_gate) (status, body) = RegisterLocked(subject, schema);
            await Json(c, status, body);
        });

        app.MapPost("/subjects/{subject}", async (string subject, HttpContext c) =>
        {
            var schema = await ReadSchemaAsync(c);
            if (schema is null) { await Error(c, HttpStatusCode.UnprocessableEntity, 42201, "Invalid schema"); return; }
            JsonObject? found = null; var subjectKnown = false;
            lock (_gate)
            {
                if (_versionsBySubject.TryGetValue(subject, out var versions))
                {
                    subjectKnown = true;
                    if (_idByCanonical.TryGetValue(Canonical(schema), out var id) && versions.IndexOf(id) is var at and >= 0)
                        found = Registered(subject, at + 1, id);
                }
            }
            if (found is not null) await Json(c, 200, found);
            else if (!subjectKnown) await Error(c, HttpStatusCode.NotFound, 40401, $"Subject '{subject}' not found.");
            else await Error(c, HttpStatusCode.NotFound, 40403, "Schema not found");
        });

        app.MapGet("/schemas/ids/{id:int}", (int id, HttpContext c) =>
        {
            string? schema = null;
            lock (_gate) if (id > 0 && id < _schemasById.Count) schema = _schemasById[id];
            return schema is null
                ? Error(c, HttpStatusCode.NotFound, 40403, $"Schema {id} not found")
                : Json(c, 200, new JsonObject { ["schema"] = schema });
        });

        app.MapGet("/subjects", (HttpContext c) =>
        {
            JsonArray list;
            lock (_gate) list = new JsonArray(_versionsBySubject.Keys.Select(k => (JsonNode)k!).ToArray());
            return Json(c, 200, list);
        });

        app.MapGet("/subjects/{subject}/versions", (string subject, HttpContext c) =>
        {
            JsonArray? list = null;
            lock (_gate)
                if (_versionsBySubject.TryGetValue(subject, out var v))
                    list = new JsonArray(Enumerable.Range(1, v.Count).Select(n => (JsonNode)n!).ToArray());
            return list is null ? Error(c, HttpStatusCode.NotFound, 40401, $"Subject '{subject}' not found.") : Json(c, 200, list);
        });

        app.MapGet("/subjects/{subject}/versions/{version}", (string subject, string version, HttpContext c) =>
        {
            JsonObject? found = null;
            lock (_gate)
            {
                if (_versionsBySubject.TryGetValue(subject, out var v))
                {
                    var n = version == "latest" ? v.Count : int.TryParse(version, out var parsed) ? parsed : -1;
                    if (n >= 1 && n <= v.Count) found = Registered(subject, n, v[n - 1]);
                }
            }
            return found is null ? Error(c, HttpStatusCode.NotFound, 40402, $"Version {version} of '{subject}' not found.") : Json(c, 200, found);
        });

        app.MapPost("/compatibility/subjects/{subject}/versions/{version}", async (string subject, string version, HttpContext c) =>
        {
            var schema = await ReadSchemaAsync(c);
            if (schema is null) { await Error(c, HttpStatusCode.UnprocessableEntity, 42201, "Invalid schema"); return; }
            bool ok;
            lock (_gate) ok = CompatibleLocked(subject, schema);
            await Json(c, 200, new JsonObject { ["is_compatible"] = ok });
        });

        app.MapGet("/config", (HttpContext c) => Json(c, 200, new JsonObject { ["compatibilityLevel"] = _globalCompatibility }));
        app.MapPut("/config", async (HttpContext c) =>
        {
            var level = (await JsonNode.ParseAsync(c.Request.Body))?["compatibility"]?.GetValue<string>() ?? "BACKWARD";
            _globalCompatibility = level;
            await Json(c, 200, new JsonObject { ["compatibility"] = level });
        });
        app.MapGet("/config/{subject}", (string subject, HttpContext c) =>
        {
            string level;
            lock (_gate) level = _compatibilityBySubject.GetValueOrDefault(subject, _globalCompatibility);
            return Json(c, 200, new JsonObject { ["compatibilityLevel"] = level });
        });
        app.MapPut("/config/{subject}", async (string subject, HttpContext c) =>
        {
            var level = (await JsonNode.ParseAsync(c.Request.Body))?["compatibility"]?.GetValue<string>() ?? "BACKWARD";
            SetCompatibility(subject, level);
            await Json(c, 200, new JsonObject { ["compatibility"] = level });
        });

        app.MapFallback((HttpContext c) => Error(c, HttpStatusCode.NotFound, 404, $"not implemented by the test registry: {c.Request.Method} {c.Request.Path}"));
    }

    private (int Status, JsonObject Body) RegisterLocked(string subject, string schema)
    {
        string canonical;
        try { canonical = Canonical(schema); }
        catch (Avro.AvroException e) { return (422, ErrorBody(42201, "Invalid schema: " + e.Message)); }
        var versions = _versionsBySubject.GetValueOrDefault(subject);
        if (_idByCanonical.TryGetValue(canonical, out var existing) && versions is not null && versions.Contains(existing))
            return (200, new JsonObject { ["id"] = existing });
        if (!CompatibleLocked(subject, schema))
            return (409, ErrorBody(409, $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\" ({CompatibilityLocked(subject)})"));
        if (!_idByCanonical.TryGetValue(canonical, out var id))
        {
            id = _schemasById.Count;
            _schemasById.Add(schema);
            _idByCanonical[canonical] = id;
        }
        if (versions is null) _versionsBySubject[subject] = versions = [];
        versions.Add(id);
        return (200, new JsonObject { ["id"] = id });
    }

    private string CompatibilityLocked(string subject) => _compatibilityBySubject.GetValueOrDefault(subject, _globalCompatibility);

    private bool CompatibleLocked(string subject, string schema)
    {
        if (!_versionsBySubject.TryGetValue(subject, out var versions) || versions.Count == 0) return true;
        var level = CompatibilityLocked(subject);
        if (level == "NONE") return true;
        var candidate = AvroSchema.Parse(schema);
        var against = level.EndsWith("_TRANSITIVE", StringComparison.Ordinal) ? versions : versions.TakeLast(1);
        foreach (var id in against)
        {
            var earlier = AvroSchema.Parse(_schemasById[id]);
            var backward = candidate.CanRead(earlier);
            var forward = earlier.CanRead(candidate);
            var ok = level.Split('_')[0] switch
            {
                "BACKWARD" => backward,
                "FORWARD" => forward,
                "FULL" => backward && forward,
                _ => true,
            };
            if (!ok) return false;
        }
        return true;
    }

    private JsonObject Registered(string subject, int version, int id) => new()
    {
        ["subject"] = subject,
        ["version"] = version,
        ["id"] = id,
        ["schema"] = _schemasById[id],
    };

    private static string Canonical(string schema) => AvroSchema.Parse(schema).ToString();

    private static async Task<string?> ReadSchemaAsync(HttpContext c)
    {
        var body = await JsonNode.ParseAsync(c.Request.Body);
        var type = body?["schemaType"]?.GetValue<string>();
        if (type is not null && type != "AVRO") return null;
        var schema = body?["schema"]?.GetValue<string>();
        if (schema is null) return null;
        try
        {
            AvroSchema.Parse(schema);
            return schema;
        }
        catch (Avro.AvroException)
        {
            return null;
        }
    }

    private static JsonObject ErrorBody(int code, string message) => new() { ["error_code"] = code, ["message"] = message };

    private static Task Error(HttpContext c, HttpStatusCode status, int code, string message) => Json(c, (int)status, ErrorBody(code, message));

    private static async Task Json(HttpContext c, int status, JsonNode body)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/vnd.schemaregistry.v1+json";
        await c.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
