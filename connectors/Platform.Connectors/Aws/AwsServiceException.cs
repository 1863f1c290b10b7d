using System.Diagnostics.CodeAnalysis;

namespace Platform.Connectors.Aws;

/// <summary>
/// An AWS call that failed: the service's error type (<c>__type</c> without its namespace), the HTTP
/// status, and whether trying again may succeed (throttling, 5xx, timeouts) or not (validation,
/// missing resource, access denied).
/// </summary>
public sealed class AwsServiceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AwsServiceException(string operation, string errorType, int statusCode, string message, bool isRetryable, bool isThrottle, Exception? inner = null)
        : base($"{operation} failed: {errorType} (HTTP {statusCode}): {message}", inner)
    {
        Operation = operation;
        ErrorType = errorType;
        StatusCode = statusCode;
        IsRetryable = isRetryable;
        IsThrottle = isThrottle;
    }

    /// <summary>The operation (X-Amz-Target).</summary>
    public string Operation { get; }

    /// <summary>The error type, e.g. ProvisionedThroughputExceededException.</summary>
    public string ErrorType { get; }

    /// <summary>HTTP status; 0 when no response came.</summary>
    public int StatusCode { get; }

    /// <summary>True when the same request may succeed later.</summary>
    public bool IsRetryable { get; }

    /// <summary>True when the service said the caller is too fast.</summary>
    public bool IsThrottle { get; }

    /// <summary>Whether an error code (from a whole call or from one entry of a batch) is worth retrying, and whether it is a throttle.</summary>
    public static (bool Retryable, bool Throttle) Classify(string errorType, int statusCode)
    {
        switch (errorType)
        {
            case "ProvisionedThroughputExceededException":
            case "ThrottlingException":
            case "Throttling":
            case "ThrottledException":
            case "RequestLimitExceeded":
            case "TooManyRequestsException":
            case "LimitExceededException":
            case "KMSThrottlingException":
            case "SlowDown":
                return (true, true);
            case "InternalFailure":
            case "InternalFailureException":
            case "InternalException":
            case "InternalServerError":
            case "ServiceUnavailable":
            case "ServiceUnavailableException":
            case "RequestTimeout":
            case "RequestTimeoutException":
            case "Transport":
                return (true, false);
        }
        return statusCode == 429 ? (true, true) : (statusCode >= 500 || statusCode == 0, false);
    }
}

internal static class AwsThrow
{
    [DoesNotReturn]
    public static void Service(string operation, string errorType, int status, string message, Exception? inner = null)
    {
        var (retryable, throttle) = AwsServiceException.Classify(errorType, status);
        throw new AwsServiceException(operation, errorType, status, message, retryable, throttle, inner);
    }

    [DoesNotReturn]
    public static void Protocol(string operation, string message) =>
        throw new AwsServiceException(operation, "MalformedResponse", 200, message, isRetryable: false, isThrottle: false);
}
