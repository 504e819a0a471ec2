using SkiaSharp;
using UniAD.Core.Data;

namespace UniAD.Tests;

/// <summary>A generated MVTec-layout set rewritten the way VisA is distributed: <c>CATEGORY/Data/Images/Normal</c> (the
/// training and the normal test images together), <c>CATEGORY/Data/Images/Anomaly</c>, <c>CATEGORY/Data/Masks/Anomaly</c>
/// with defect pixels of value <see cref="DefectValue"/> (not 255, as VisA's), JPEG images named <c>.JPG</c>, each
/// category's <c>image_anno.csv</c>, and <c>split_csv/1cls.csv</c> beside a <c>2cls_fewshot.csv</c> the lab ignores.</summary>
public static class VisaShapedDataset
{
    public const byte DefectValue = 1;

    /// <summary>Writes the VisA-shaped copy of <paramref name="mvtecRoot"/> into <paramref name="target"/>; returns the rows
    /// of its split file (after the header), in the order written.</summary>
    public static IReadOnlyList<string> Write(string mvtecRoot, string target)
    {
        var dataset = MvtecLayout.Read(mvtecRoot);
        var rows = new List<string>();
        foreach (var category in dataset.Categories)
        {
            var images = Path.Combine(target, category, "Data", "Images");
            var annotations = new List<string> { "image,label,mask" };
            int normal = 0, anomaly = 0;
            foreach (var sample in dataset.Samples.Where(s => s.Category == category))
            {
                string image, mask = "";
                if (sample.IsAnomalous)
                {
                    image = $"{category}/Data/Images/Anomaly/{anomaly:D3}.JPG";
                    if (sample.MaskPath is not null)
                    {
                        mask = $"{category}/Data/Masks/Anomaly/{anomaly:D3}.png";
                        WriteMask(sample.MaskPath, Path.Combine(target, mask));
                    }
                    anomaly++;
                }
                else image = $"{category}/Data/Images/Normal/{normal++:D4}.JPG";
                WriteJpeg(sample.ImagePath, Path.Combine(target, image));
                string label = sample.IsAnomalous ? VisaLayout.AnomalyLabel : VisaLayout.NormalLabel;
                rows.Add($"{category},{(sample.Split == Split.Train ? "train" : "test")},{label},{image},{mask}");
                annotations.Add($"{image},{(sample.IsAnomalous ? sample.DefectType : "normal")},{mask}");
            }
            File.WriteAllLines(Path.Combine(target, category, "image_anno.csv"), annotations);
        }
        Directory.CreateDirectory(Path.Combine(target, "split_csv"));
        File.WriteAllLines(Path.Combine(target, VisaLayout.SplitFile), ["object,split,label,image,mask", .. rows]);
        File.WriteAllLines(Path.Combine(target, "split_csv", "2cls_fewshot.csv"), ["object,split,label,image,mask"]);
        File.WriteAllText(Path.Combine(target, "LICENSE-DATASET"), "generated for the tests\n");
        return rows;
    }

    private static void WriteJpeg(string source, string path)
    {
        using var bitmap = SKBitmap.Decode(source);
        Save(bitmap, SKEncodedImageFormat.Jpeg, path);
    }

    /// <summary>The mask as 8-bit grey with its defect pixels set to <see cref="DefectValue"/>.</summary>
    private static void WriteMask(string source, string path)
    {
        using var mask = SKBitmap.Decode(source);
        using var grey = new SKBitmap(mask.Width, mask.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        for (int y = 0; y < mask.Height; y++)
        for (int x = 0; x < mask.Width; x++)
        {
            byte value = mask.GetPixel(x, y).Red > 0 ? DefectValue : (byte)0;
            grey.SetPixel(x, y, new SKColor(value, value, value));
        }
        Save(grey, SKEncodedImageFormat.Png, path);
    }

    private static void Save(SKBitmap bitmap, SKEncodedImageFormat format, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }
}
