using System.Text.Json;

namespace Platform.Connectors.Aws;

/// <summary>One entry of a batch call that the service did not take.</summary>
/// <param name="Index">Its position in the request's array.</param>
/// <param name="Code">Its <c>ErrorCode</c>, e.g. ProvisionedThroughputExceededException.</param>
/// <param name="Message">Its <c>ErrorMessage</c>, if any.</param>
public readonly record struct AwsEntryFailure(int Index, string Code, string? Message);

/// <summary>
/// Reads the per-entry results of an AWS batch call: PutRecords answers with <c>Records</c>, PutEvents
/// with <c>Entries</c>, one object per entry sent, in the same order; an entry that failed has an
/// <c>ErrorCode</c> (and usually an <c>ErrorMessage</c>). Allocates only for the failed entries.
/// </summary>
public static class AwsBatchResults
{
    /// <summary>
    /// Appends the failed entries of <paramref name="json"/> to <paramref name="failures"/>, in request order.
    /// Throws a non-retryable <see cref="AwsServiceException"/> when the answer does not hold exactly
    /// <paramref name="sent"/> results.
    /// </summary>
    /// <param name="json">The response body.</param>
    /// <param name="arrayName">The results array: <c>"Records"u8</c> or <c>"Entries"u8</c>.</param>
    /// <param name="operation">For the error message.</param>
    /// <param name="sent">Entries in the request.</param>
    /// <param name="failures">Receives the failures.</param>
    public static void ReadFailures(ReadOnlySpan<byte> json, ReadOnlySpan<byte> arrayName, string operation, int sent, List<AwsEntryFailure> failures)
    {
        var reader = new Utf8JsonReader(json);
        var index = 0;
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals(arrayName))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    string? code = null, message = null;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isCode = reader.ValueTextEquals("ErrorCode"u8);
                        var isMessage = reader.ValueTextEquals("ErrorMessage"u8);
                        reader.Read();
                        if (isCode && reader.TokenType == JsonTokenType.String) code = reader.GetString();
                        else if (isMessage && reader.TokenType == JsonTokenType.String) message = reader.GetString();
                        else reader.Skip();
                    }
                    if (index >= sent) AwsThrow.Protocol(operation, $"more results than the {sent} entries sent");
                    if (code is not null) failures.Add(new AwsEntryFailure(index, code, message));
                    index++;
                }
            }
        }
        catch (JsonException e)
        {
            throw new AwsServiceException(operation, "MalformedResponse", 200, "answer is not valid JSON: " + e.Message, isRetryable: false, isThrottle: false, e);
        }
        if (index != sent) AwsThrow.Protocol(operation, $"{index} results for {sent} entries");
    }
}
