using System.Net;

namespace Platform.Sinks.Alerts;

/// <summary>Sends one notification request with retries; the request is rebuilt for each attempt.</summary>
internal static class HttpNotification
{
    public static async Task<NotificationResult> SendAsync(
        string channel, HttpClient http, HttpRetryOptions retry, TimeProvider clock,
        Func<HttpRequestMessage> buildRequest, CancellationToken cancellationToken)
    {
        var backoff = retry.InitialBackoff;
        var status = 0;
        string? error = null;
        for (var attempt = 1; ; attempt++)
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(retry.Timeout);
                try
                {
                    using var request = buildRequest();
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                    status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        return new NotificationResult(channel, true, attempt, status, null);
                    }
                    error = $"HTTP {status} {response.ReasonPhrase}";
                    if (!IsRetryable(response.StatusCode))
                    {
                        return new NotificationResult(channel, false, attempt, status, error);
                    }
                }
                catch (HttpRequestException e)
                {
                    status = 0;
                    error = e.HttpRequestError.ToString();
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    status = 0;
                    error = "timeout";
                }
            }
            if (attempt >= retry.MaxAttempts)
            {
                return new NotificationResult(channel, false, attempt, status, error);
            }
            await Task.Delay(backoff, clock, cancellationToken);
            backoff = TimeSpan.FromTicks(Math.Min(retry.MaxBackoff.Ticks, backoff.Ticks * 2));
        }
    }

    private static bool IsRetryable(HttpStatusCode code) =>
        code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)code >= 500;

    /// <summary>Joins a configured base URL and a path, tolerating a trailing slash on the base.</summary>
    public static Uri Combine(Uri baseUrl, string path) => new(baseUrl.AbsoluteUri.TrimEnd('/') + path);
}
