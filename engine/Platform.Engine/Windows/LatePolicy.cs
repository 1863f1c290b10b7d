namespace Platform.Engine.Windows;

/// <summary>What a windowed operator does with a late record (one whose windows have all fired).</summary>
public enum LatePolicy : byte
{
    /// <summary>Drop it and count it.</summary>
    Drop = 0,
    /// <summary>Send it, unchanged, to the operator's side output, and count it.</summary>
    SideOutput = 1,
    /// <summary>Add it to its fired window's retained state and emit a revised result at once (<c>IsUpdate = true</c>).</summary>
    Update = 2,
}
