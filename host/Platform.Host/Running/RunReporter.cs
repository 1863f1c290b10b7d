using System.Net.Http.Headers;
using Platform.Host.Config;
using Platform.Operators.Quality;

namespace Platform.Host.Running;

/// <summary>
/// The run report of <c>platform run</c>: built from the run's totals and, with <c>run-report</c> in the
/// YAML, POSTed in the shape of the seed's Monte Carlo step: the GraphQL <c>createJobExecution</c> body with
/// headers <c>x-mc-id</c>, <c>x-mc-token</c> (secrets from env or a secrets file) and <c>x-mc-organization-id</c>.
/// </summary>
internal static class RunReporter
{
    /// <summary>The report of a finished run.</summary>
    public static RunReport Build(PipelineConfig config, RunTotals totals, DateTimeOffset start, DateTimeOffset end, RunStatus status, string sourceName, string? message = null)
    {
        var ns = config.RunReport?.Namespace ?? "platform";
        var inputs = new List<RunAsset>
        {
            new(sourceName, $"urn:platform:source:{config.Source.Type}:{sourceName}", totals.RecordsIn + totals.DeadLetters, totals.Bytes, end),
        };
        var outputs = new List<RunAsset>();
        foreach (var sink in config.Sinks)
        {
            outputs.Add(sink switch
            {
                DuckDbSinkConfig d => new RunAsset($"{d.Path}:{d.Table}", $"urn:platform:duckdb:{d.FullPath}:{d.Table}", totals.RecordsOut, null, end),
                _ => new RunAsset(sink.Type, $"urn:platform:sink:{sink.Type}:{config.Name}", totals.RecordsOut, null, end),
            });
        }
        outputs.Add(new RunAsset(config.DeadLetter.Path, $"urn:platform:dead-letter:{config.DeadLetter.FullPath}", totals.DeadLetters, null, end));
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return new RunReport(Guid.NewGuid().ToString(), config.Name, ns, status, start, end, inputs, outputs)
        {
            TriggeredBy = totals.StoppedBy is null ? "User" : "Signal",
            Message = message,
            Metadata = new Dictionary<string, string>
            {
                ["recordsIn"] = totals.RecordsIn.ToString(inv),
                ["recordsOut"] = totals.RecordsOut.ToString(inv),
                ["deadLetters"] = totals.DeadLetters.ToString(inv),
                ["lateRecords"] = totals.LateRecords.ToString(inv),
            },
        };
    }

    /// <summary>POSTs the report (three attempts, backoff 0.5 s then 1 s); returns an error text or null.</summary>
    public static async Task<string?> PostAsync(RunReportConfig config, RunReport report, HttpClient http, CancellationToken cancellationToken = default)
    {
        var body = report.WriteGraphQlBody();
        var id = config.Id is null ? null : AlertSinks.Resolve(config.Id);
        var token = config.Token is null ? null : AlertSinks.Resolve(config.Token);
        string? error = null;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, config.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (id is not null) request.Headers.Add("x-mc-id", id.Reveal());
            if (token is not null) request.Headers.Add("x-mc-token", token.Reveal());
            if (config.Organization is not null) request.Headers.Add("x-mc-organization-id", config.Organization);
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode) return null;
                error = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                if ((int)response.StatusCode < 500 && (int)response.StatusCode != 429) return error;
            }
            catch (HttpRequestException e)
            {
                error = e.HttpRequestError.ToString();
            }
            if (attempt < 3) await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), cancellationToken);
        }
        return error;
    }
}
