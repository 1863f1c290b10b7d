namespace Platform.Connectors.Generator.Customers;

/// <summary>One simulated user's fixed traits and churn plan, drawn once from the seed.</summary>
internal struct CustomerPlan
{
    public int Index;
    public bool Churner;
    public bool Anonymous;
    public bool Identified;
    public bool TwitchLinked;
    public bool Unlinked;
    public long SignupAt;
    public long ChurnAt;      // long.MaxValue when the user stays
    public long DriftFrom;    // when behaviour starts to change before churn
    public long LullFrom, LullTo; // a quiet spell of a user who stays (noise that looks like churn)
    public double Rate;       // sessions per ms at full engagement
    public double Gamer, Saver, Booker;
    public int Level;
    public double Balance;

    /// <summary>0 before the drift, rising to 1 at the churn time.</summary>
    public readonly double DriftAt(long time) =>
        !Churner || time < DriftFrom ? 0 : Math.Min(1, (time - DriftFrom) / (double)Math.Max(1, ChurnAt - DriftFrom));
}
