using System.Text.Json;

namespace Platform.Operators.Quality;

/// <summary>The outcome of a pipeline run, as a data-observability service records it.</summary>
public enum RunStatus
{
    /// <summary>Finished normally.</summary>
    Success,
    /// <summary>Failed.</summary>
    Failure,
    /// <summary>Still running (a report sent during the run).</summary>
    Running,
    /// <summary>Nothing was run.</summary>
    Skipped,
}

/// <summary>A data asset a run read or wrote: a source, a table, a file.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Urn">A unique resource name, e.g. <c>urn:platform:duckdb:out/iot.duckdb:window_stats</c>.</param>
/// <param name="Records">Records read or written.</param>
/// <param name="Bytes">Bytes read or written (null when unknown).</param>
/// <param name="Timestamp">When it was last read or written.</param>
/// <param name="Type">Its kind: DATASET, FLOW, …</param>
public sealed record RunAsset(string Name, string Urn, long Records, long? Bytes, DateTimeOffset? Timestamp, string Type = "DATASET");

/// <summary>
/// A run report per pipeline: status, times, records in and out, assets read and written — the shape
/// of the seed's Monte Carlo post-execution step (a GraphQL <c>createJobExecution</c> mutation with a
/// <c>JobExecutionInput</c>), see <see cref="WriteGraphQlBody"/>.
/// </summary>
public sealed record RunReport(
    string Id,
    string Pipeline,
    string Namespace,
    RunStatus Status,
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyList<RunAsset> Inputs,
    IReadOnlyList<RunAsset> Outputs)
{
    /// <summary>The mutation the seed sends.</summary>
    public const string Mutation =
        "mutation CreateJobExecution($jobExecution: JobExecutionInput!) { createJobExecution(jobExecution: $jobExecution) { id name status startTime endTime runId } }";

    /// <summary>The orchestrator's run id, if any.</summary>
    public string? RunId { get; init; }
    /// <summary>What started the run: User, Schedule, Event.</summary>
    public string? TriggeredBy { get; init; }
    /// <summary>Context or the error message.</summary>
    public string? Message { get; init; }
    /// <summary>Custom key/value metadata (records in/out, dead letters, …).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The request body: <c>{"query": Mutation, "variables": {"jobExecution": {…}}}</c>.</summary>
    public byte[] WriteGraphQlBody()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("query", Mutation);
            json.WriteStartObject("variables");
            json.WriteStartObject("jobExecution");
            json.WriteString("id", Id);
            json.WriteString("name", Pipeline);
            json.WriteString("namespace", Namespace);
            json.WriteString("status", Status.ToString().ToUpperInvariant());
            json.WriteString("startTime", Iso(Start));
            json.WriteString("endTime", Iso(End));
            json.WriteNumber("duration", (long)Math.Abs((End - Start).TotalMilliseconds));
            if (RunId is not null) json.WriteString("runId", RunId);
            if (TriggeredBy is not null) json.WriteString("triggeredBy", TriggeredBy);
            if (Message is not null) json.WriteString("message", Message);
            if (Metadata is not null)
            {
                json.WriteStartObject("metadata");
                foreach (var (k, v) in Metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            Assets(json, "inputs", Inputs);
            Assets(json, "outputs", Outputs);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Assets(Utf8JsonWriter json, string name, IReadOnlyList<RunAsset> assets)
    {
        json.WriteStartArray(name);
        foreach (var a in assets)
        {
            json.WriteStartObject();
            json.WriteString("name", a.Name);
            json.WriteString("type", a.Type);
            json.WriteString("urn", a.Urn);
            json.WriteStartObject("properties");
            json.WriteNumber("numRecords", a.Records);
            if (a.Bytes is { } b) json.WriteNumber("bytes", b);
            if (a.Timestamp is { } t) json.WriteString("timestamp", Iso(t));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>ISO-8601 UTC with milliseconds, as JavaScript's <c>toISOString()</c> writes it.</summary>
    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
