using Microsoft.Extensions.Logging;

namespace Platform.Host.Http;

/// <summary>The HTTP server's log events.</summary>
internal static partial class PlatformHttpLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Health and metrics on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "HTTP endpoints stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Ready: {Ready} ({Reason})")]
    public static partial void ReadinessChanged(ILogger logger, bool ready, string reason);
}
