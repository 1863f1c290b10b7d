namespace Platform.Engine.Runtime;

/// <summary>A keyed operator that reports how many records it received after their window had fired.</summary>
public interface ILateRecordCounter
{
    /// <summary>Late records so far (dropped, side-output or used for updates).</summary>
    long LateRecords { get; }
}
