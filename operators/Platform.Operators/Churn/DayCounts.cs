using System.Runtime.CompilerServices;

namespace Platform.Operators.Churn;

/// <summary>Per-day counts of the last 32 days (a ring indexed by day number mod 32), saturating at 255.</summary>
[InlineArray(Days)]
public struct DayCounts
{
    /// <summary>Days kept.</summary>
    public const int Days = 32;

    private byte _first;

    /// <summary>Adds one on <paramref name="day"/> (the caller has advanced the ring to at least that day).</summary>
    public void Add(long day)
    {
        ref var slot = ref this[(int)(day & (Days - 1))];
        if (slot < byte.MaxValue) slot++;
    }

    /// <summary>Sum over the <paramref name="days"/> days ending at <paramref name="today"/>, given the ring's newest day <paramref name="head"/>.</summary>
    public readonly int Sum(long head, long today, int days)
    {
        var sum = 0;
        for (var d = Math.Max(today - days + 1, head - Days + 1); d <= Math.Min(today, head); d++) sum += this[(int)(d & (Days - 1))];
        return sum;
    }

    /// <summary>Clears the days after <paramref name="head"/> up to <paramref name="day"/> (they start from zero).</summary>
    public void Advance(long head, long day)
    {
        for (var d = head + 1; d <= Math.Min(day, head + Days); d++) this[(int)(d & (Days - 1))] = 0;
    }

    /// <summary>Adds <paramref name="other"/>'s counts (both advanced to the same head).</summary>
    public void Merge(in DayCounts other)
    {
        for (var i = 0; i < Days; i++) this[i] = (byte)Math.Min(byte.MaxValue, this[i] + other[i]);
    }
}

/// <summary>Events per <see cref="ChurnEventCategory"/> per week for the last 5 weeks (ring by week number), saturating at 255.</summary>
[InlineArray(Categories * Weeks)]
public struct CategoryWeeks
{
    /// <summary>Categories.</summary>
    public const int Categories = 8;
    /// <summary>Weeks kept.</summary>
    public const int Weeks = 5;

    private byte _first;

    private static int Index(long week, ChurnEventCategory category) => (int)(week % Weeks) * Categories + (int)category;

    /// <summary>Adds one event of <paramref name="category"/> in <paramref name="week"/>.</summary>
    public void Add(long week, ChurnEventCategory category)
    {
        ref var slot = ref this[Index(week, category)];
        if (slot < byte.MaxValue) slot++;
    }

    /// <summary>Events of <paramref name="category"/> in the 4 weeks ending with <paramref name="thisWeek"/>, given the ring's newest week <paramref name="head"/>.</summary>
    public readonly int LastFourWeeks(long head, long thisWeek, ChurnEventCategory category)
    {
        var sum = 0;
        for (var w = Math.Max(thisWeek - 3, head - Weeks + 1); w <= Math.Min(thisWeek, head); w++) sum += this[Index(w, category)];
        return sum;
    }

    /// <summary>Clears the weeks after <paramref name="head"/> up to <paramref name="week"/>.</summary>
    public void Advance(long head, long week)
    {
        for (var w = head + 1; w <= Math.Min(week, head + Weeks); w++)
        {
            for (var c = 0; c < Categories; c++) this[Index(w, (ChurnEventCategory)c)] = 0;
        }
    }

    /// <summary>Adds <paramref name="other"/>'s counts (both advanced to the same head).</summary>
    public void Merge(in CategoryWeeks other)
    {
        for (var i = 0; i < Categories * Weeks; i++) this[i] = (byte)Math.Min(byte.MaxValue, this[i] + other[i]);
    }
}
