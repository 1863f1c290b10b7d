using Platform.Engine.Checkpoints;

namespace Platform.Operators.Anomaly.Detectors;

/// <summary>
/// Spectral residual (Ren et al., KDD 2019) over a short sliding window: the window's log amplitude
/// spectrum minus its local average is transformed back with the original phase; the saliency of
/// the newest point relative to the window's mean saliency is its score. The window is extended by
/// <see cref="Extension"/> extrapolated points so the newest point is not at the edge. Cost per point
/// is one forward and one inverse FFT of w ≤ 64 points, O(w log w), with the FFT scratch shared by
/// every key of the operator (single-threaded).
/// </summary>
internal sealed class SpectralResidualDetector
{
    private const int Extension = 4;
    private const int AverageWidth = 3;
    private readonly double[] _ring;
    private int _head;
    private int _count;

    public SpectralResidualDetector(int window) => _ring = new double[window - Extension];

    public double Update(double value, Fft fft)
    {
        if (double.IsNaN(value)) return 0;
        _ring[_head] = value;
        _head = (_head + 1) % _ring.Length;
        if (_count < _ring.Length) _count++;
        if (_count < _ring.Length) return 0;

        var n = fft.N;
        var len = _ring.Length;
        var re = fft.Re;
        var im = fft.Im;
        var mean = 0.0;
        for (var i = 0; i < len; i++)
        {
            re[i] = _ring[(_head + i) % len];
            mean += re[i];
        }
        mean /= len;
        // Extension: continue the trend of the points before the newest one, so a jump at the newest
        // point stands out instead of being carried into the extension.
        var prev = re[len - 2];
        var slope = (prev - re[len - 2 - Extension]) / Extension;
        var ext = prev + slope * 2;
        for (var i = len; i < n; i++) re[i] = ext;
        for (var i = 0; i < n; i++)
        {
            re[i] -= mean;
            im[i] = 0;
        }
        fft.Transform(inverse: false);
        // Amplitude A, log amplitude L; residual R = L − moving average of L; back with the phase.
        var logAmp = fft.Work;
        for (var i = 0; i < n; i++)
        {
            var amp = Math.Sqrt(re[i] * re[i] + im[i] * im[i]);
            logAmp[i] = Math.Log(amp + 1e-8);
        }
        for (var i = 0; i < n; i++)
        {
            var sum = 0.0;
            for (var j = -(AverageWidth / 2); j <= AverageWidth / 2; j++) sum += logAmp[(i + j + n) % n];
            var residual = logAmp[i] - sum / AverageWidth;
            var amp = Math.Sqrt(re[i] * re[i] + im[i] * im[i]);
            if (amp < 1e-12)
            {
                re[i] = 0;
                im[i] = 0;
                continue;
            }
            var scale = Math.Exp(residual) / amp;
            re[i] *= scale;
            im[i] *= scale;
        }
        fft.Transform(inverse: true);
        var avg = 0.0;
        for (var i = 0; i < len; i++) avg += Math.Sqrt(re[i] * re[i] + im[i] * im[i]);
        avg /= len;
        var s = Math.Sqrt(re[len - 1] * re[len - 1] + im[len - 1] * im[len - 1]);
        if (!(avg > 1e-12)) return 0;
        return Scores.Squash(Math.Max(0, (s - avg) / avg), 1);
    }

    public void Write(SnapshotWriter w)
    {
        w.I32(_head);
        w.I32(_count);
        w.F64s(_ring);
    }

    public void Read(ref SnapshotReader r)
    {
        _head = r.I32();
        _count = r.I32();
        r.F64s(_ring);
        if (_head < 0 || _head >= _ring.Length || _count < 0 || _count > _ring.Length) throw new InvalidDataException("Bad spectral state.");
    }
}
