using System.Security.Cryptography;
using System.Text;
using UniAD.Core.Data;
using static TorchSharp.torch;

namespace UniAD.Core.Features;

/// <summary>On-disk cache of aligned backbone features, one file per (extractor, image list, precision).
/// Computed once per dataset version and backbone, then reused by every epoch and every run, so a CPU
/// epoch costs only the transformer.</summary>
public sealed class FeatureCache(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>A key that changes when the extractor, the precision, or any image (path, size, modification
    /// time) changes. Callers with an immutable dataset version can pass its content hash as <paramref name="datasetVersion"/>
    /// instead of relying on file metadata.</summary>
    public static string Key(string extractorFingerprint, IReadOnlyList<AnomalySample> samples, bool half, string? datasetVersion = null)
    {
        var text = new StringBuilder($"{extractorFingerprint}|{(half ? "fp16" : "fp32")}|{datasetVersion}\n");
        foreach (var s in samples)
        {
            text.Append(s.Key).Append('|');
            if (datasetVersion is null)
            {
                var file = new FileInfo(s.ImagePath);
                text.Append(file.Length).Append('|').Append(file.LastWriteTimeUtc.Ticks);
            }
            text.Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    /// <summary>The cached tensor for <paramref name="key"/>, or the result of <paramref name="compute"/>,
    /// which is stored first (atomically: a crash never leaves a partial cache file).</summary>
    public Tensor GetOrCompute(string key, Func<Tensor> compute)
    {
        var path = Path.Combine(Directory, key + ".features");
        if (File.Exists(path)) return load(path);
        var features = compute();
        System.IO.Directory.CreateDirectory(Directory);
        var temporary = path + $".{Environment.ProcessId}.tmp";
        features.save(temporary);
        File.Move(temporary, path, overwrite: true);
        return features;
    }
}
