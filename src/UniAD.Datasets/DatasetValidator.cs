using UniAD.Core.Data;

namespace UniAD.Datasets;

/// <summary>Checks a dataset folder before it is stored: decodes every image and mask, matches masks to images,
/// and finds empty categories, one-sided test sets, duplicates and files the layout ignores. Every problem is
/// collected (not just the first) with the file it concerns.</summary>
public static class DatasetValidator
{
    public static ValidationReport Validate(string root, DatasetLayout layout, ClassFolderOptions? classFolder,
        IReadOnlyList<FileDigest> digests, IProgress<ImportProgress>? progress = null, CancellationToken cancel = default)
    {
        root = Path.GetFullPath(root);
        var problems = new List<DatasetProblem>();
        AnomalyDataset dataset;
        try { dataset = DatasetLayouts.Read(root, layout, classFolder, lenient: true); }
        catch (DatasetException e)
        {
            return new ValidationReport(DatasetLayouts.Name(layout), [], [new DatasetProblem(ProblemKind.Layout, "", e.Message)]);
        }
        string Relative(string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

        // VisA marks defect pixels with small values (not 255) on purpose: read as defect, and said once, not per mask.
        bool nonzeroIsDefect = layout == DatasetLayout.Visa;
        var checks = CheckFiles(dataset.Samples, nonzeroIsDefect, progress, cancel);
        for (int i = 0; i < checks.Length; i++)
            problems.AddRange(checks[i].Problems.Select(p => p with { File = Relative(p.File) }));
        if (nonzeroIsDefect) problems.AddRange(NonzeroMaskValues(checks));
        problems.AddRange(EmptyCategories(root, layout, dataset));
        if (layout != DatasetLayout.ClassFolder || classFolder is not null) problems.AddRange(OneSidedTestSets(dataset));
        problems.AddRange(Duplicates(dataset, digests, Relative));
        problems.AddRange(UnusedFiles(layout, dataset, digests, Relative));

        var counts = dataset.Samples.Select((s, i) => (Sample: s, Check: checks[i])).GroupBy(x => x.Sample.Category)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CategoryCounts(g.Key,
                Train: g.Count(x => x.Sample.Split == Split.Train),
                TestNormal: g.Count(x => x.Sample.Split == Split.Test && !x.Sample.IsAnomalous),
                TestAnomalous: g.Count(x => x.Sample.Split == Split.Test && x.Sample.IsAnomalous),
                Masks: g.Count(x => x.Sample.MaskPath is not null),
                DefectTypes: g.Where(x => x.Sample.IsAnomalous).GroupBy(x => x.Sample.DefectType)
                    .OrderBy(d => d.Key, StringComparer.Ordinal).ToDictionary(d => d.Key, d => d.Count()),
                ImageSizes: g.Where(x => x.Check.Size is not null).Select(x => x.Check.Size!).Distinct().Order(StringComparer.Ordinal).ToList(),
                Grayscale: g.All(x => x.Check.Grayscale)))
            .ToList();
        return new ValidationReport(DatasetLayouts.Name(layout), counts, problems);
    }

    /// <summary>What one sample's files are; <paramref name="MaskValues"/>: the grey levels other than 0 and 255 its mask
    /// holds where those are read as defect (VisA), else empty.</summary>
    private sealed record FileCheck(IReadOnlyList<DatasetProblem> Problems, string? Size, bool Grayscale, IReadOnlySet<byte> MaskValues);

    /// <summary>Decodes each image and its mask, in parallel; results keep the samples' order.</summary>
    private static FileCheck[] CheckFiles(IReadOnlyList<AnomalySample> samples, bool nonzeroIsDefect, IProgress<ImportProgress>? progress,
        CancellationToken cancel)
    {
        var results = new FileCheck[samples.Count];
        int done = 0;
        Parallel.For(0, samples.Count, new ParallelOptions { CancellationToken = cancel, MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            results[i] = Check(samples[i], nonzeroIsDefect);
            progress?.Report(new ImportProgress("validating", Interlocked.Increment(ref done), samples.Count));
        });
        return results;
    }

    private static FileCheck Check(AnomalySample sample, bool nonzeroIsDefect)
    {
        var problems = new List<DatasetProblem>();
        IReadOnlySet<byte> maskValues = NoGreyLevels;
        DecodedImage? image = TryDecode(sample.ImagePath, problems);
        if (sample.IsAnomalous && sample.MaskPath is null && sample.Split == Split.Test && image is not null)
            problems.Add(new(ProblemKind.DefectWithoutMask, sample.ImagePath,
                "defect image without a ground-truth mask: pixel metrics count the whole image as anomalous"));
        if (sample.MaskPath is not null)
        {
            if (!File.Exists(sample.MaskPath))
                problems.Add(new(ProblemKind.MaskMissing, sample.MaskPath, $"mask named for {Path.GetFileName(sample.ImagePath)} does not exist"));
            else if (TryDecode(sample.MaskPath, problems) is { } mask)
            {
                if (image is not null && (mask.Width != image.Width || mask.Height != image.Height))
                    problems.Add(new(ProblemKind.MaskSizeMismatch, sample.MaskPath,
                        $"mask is {mask.Width}×{mask.Height} but its image is {image.Width}×{image.Height}"));
                // Pixel metrics read 0 as normal and anything else as defect: a grey or coloured mask is a mistake
                // (an anti-aliased drawing, a saved heatmap) that would silently move the defect's border.
                if (!IsGrayscale(mask))
                    problems.Add(new(ProblemKind.ColourMask, sample.MaskPath, "mask is in colour; masks are grayscale, 0 (normal) or 255 (defect)"));
                else if (nonzeroIsDefect) maskValues = GreyLevels(mask);
                else if (CountNonBinary(mask) is var grey and > 0)
                    problems.Add(new(ProblemKind.NonBinaryMask, sample.MaskPath,
                        $"mask is not binary: {grey} pixel(s) are neither 0 nor 255; binarize it"));
            }
        }
        return new FileCheck(problems, image is null ? null : $"{image.Width}x{image.Height}", image is not null && IsGrayscale(image), maskValues);
    }

    private static DecodedImage? TryDecode(string path, List<DatasetProblem> problems)
    {
        try { return ImageDecoder.Decode(path); }
        catch (Exception e) when (e is DatasetException or IOException)
        {
            bool truncated = e.Message.StartsWith("truncated", StringComparison.Ordinal);
            var message = e.Message.EndsWith(": " + path, StringComparison.Ordinal) ? e.Message[..^(path.Length + 2)] : e.Message;
            problems.Add(new(truncated ? ProblemKind.Truncated : ProblemKind.Unreadable, path, message));
            return null;
        }
    }

    private static long CountNonBinary(DecodedImage mask)
    {
        long count = 0;
        var p = mask.Rgba;
        for (int i = 0; i < p.Length; i += 4)
            if (p[i] is not (0 or 255) || p[i + 1] is not (0 or 255) || p[i + 2] is not (0 or 255)) count++;
        return count;
    }

    private static readonly IReadOnlySet<byte> NoGreyLevels = new HashSet<byte>();

    /// <summary>The grey levels of a grayscale mask other than 0 and 255.</summary>
    private static HashSet<byte> GreyLevels(DecodedImage mask)
    {
        var levels = new HashSet<byte>();
        var p = mask.Rgba;
        for (int i = 0; i < p.Length; i += 4)
            if (p[i] is not (0 or 255)) levels.Add(p[i]);
        return levels;
    }

    /// <summary>One note for all the masks whose defect pixels are not 255 (VisA's), with the levels seen.</summary>
    private static IEnumerable<DatasetProblem> NonzeroMaskValues(FileCheck[] checks)
    {
        var marked = checks.Where(c => c.MaskValues.Count > 0).ToList();
        if (marked.Count == 0) yield break;
        var levels = marked.SelectMany(c => c.MaskValues).Distinct().Order().ToList();
        const int shown = 8;
        string seen = string.Join(", ", levels.Take(shown)) + (levels.Count > shown ? $" and {levels.Count - shown} more" : "");
        yield return new DatasetProblem(ProblemKind.NonzeroMaskValues, "",
            $"{marked.Count} mask(s) mark defect pixels with values other than 255 (seen: {seen}), as VisA's masks do: " +
            "every nonzero pixel is read as defect, as VisA's own preparation script binarizes them");
    }

    private static bool IsGrayscale(DecodedImage image)
    {
        var p = image.Rgba;
        for (int i = 0; i < p.Length; i += 4)
            if (p[i] != p[i + 1] || p[i] != p[i + 2]) return false;
        return true;
    }

    /// <summary>MVTec category folders without training images (they would silently drop out of a unified run).</summary>
    private static IEnumerable<DatasetProblem> EmptyCategories(string root, DatasetLayout layout, AnomalyDataset dataset)
    {
        var trained = dataset.Train.Select(s => s.Category).ToHashSet();
        var categories = layout == DatasetLayout.Mvtec ? MvtecLayout.CategoryFolders(root).Select(Path.GetFileName).ToList()! : dataset.Categories;
        return categories.Where(c => !trained.Contains(c!)).Select(c => new DatasetProblem(ProblemKind.EmptyCategory,
            layout == DatasetLayout.Mvtec ? $"{c}/train/{MvtecLayout.Good}" : c!, $"category '{c}' has no training images"));
    }

    private static IEnumerable<DatasetProblem> OneSidedTestSets(AnomalyDataset dataset) =>
        dataset.Test.GroupBy(s => s.Category).SelectMany(g =>
        {
            var found = new List<DatasetProblem>();
            if (!g.Any(s => s.IsAnomalous))
                found.Add(new(ProblemKind.NoAnomalousTestImages, g.Key, $"category '{g.Key}' has no anomalous test images: its AUROC is undefined"));
            if (g.All(s => s.IsAnomalous))
                found.Add(new(ProblemKind.NoNormalTestImages, g.Key, $"category '{g.Key}' has no normal test images: its image AUROC is undefined"));
            return found;
        });

    /// <summary>Images with identical bytes; a copy shared by train and test leaks the test set into training.</summary>
    private static IEnumerable<DatasetProblem> Duplicates(AnomalyDataset dataset, IReadOnlyList<FileDigest> digests, Func<string, string> relative)
    {
        var hashOf = digests.ToDictionary(d => d.Path, d => d.Sha256, StringComparer.Ordinal);
        var firstWithHash = new Dictionary<string, AnomalySample>();
        foreach (var sample in dataset.Samples)
        {
            if (!hashOf.TryGetValue(relative(sample.ImagePath), out var hash)) continue;
            if (!firstWithHash.TryAdd(hash, sample))
            {
                var first = firstWithHash[hash];
                bool leak = first.Split != sample.Split;
                yield return new DatasetProblem(ProblemKind.Duplicate, relative(sample.ImagePath),
                    $"same content as {relative(first.ImagePath)}{(leak ? " (one in train, one in test: the test set leaks into training)" : "")}");
            }
        }
    }

    /// <summary>Files inside the layout's folders that no sample uses: masks without an image, unsupported formats,
    /// images in the wrong place. Files at the root (licence, readme, metadata) are documentation, not data, and so are
    /// VisA's CSV files (its split files and each category's <c>image_anno.csv</c>).</summary>
    private static IEnumerable<DatasetProblem> UnusedFiles(DatasetLayout layout, AnomalyDataset dataset, IReadOnlyList<FileDigest> digests,
        Func<string, string> relative)
    {
        var used = dataset.Samples.SelectMany(s => s.MaskPath is null ? [s.ImagePath] : new[] { s.ImagePath, s.MaskPath })
            .Select(relative).ToHashSet(StringComparer.Ordinal);
        bool visa = layout == DatasetLayout.Visa;
        foreach (var file in digests.Where(d => d.Path.Contains('/') && !used.Contains(d.Path)))
        {
            var segments = file.Path.Split('/');
            if (visa && file.Path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) continue;
            if (visa && ImageDecoder.HasImageExtension(file.Path))
                yield return new DatasetProblem(segments.Contains("Masks") ? ProblemKind.MaskWithoutImage : ProblemKind.NotInLayout, file.Path,
                    $"not listed in {VisaLayout.SplitFile}; ignored");
            else if (!ImageDecoder.HasImageExtension(file.Path))
                yield return new DatasetProblem(ProblemKind.UnsupportedFormat, file.Path,
                    $"'{Path.GetExtension(file.Path)}' is not a format the lab reads ({string.Join(", ", ImageDecoder.Extensions)}); ignored");
            else if (segments.Contains("ground_truth"))
                yield return new DatasetProblem(ProblemKind.MaskWithoutImage, file.Path, "mask without a matching test image; ignored");
            else
                yield return new DatasetProblem(ProblemKind.NotInLayout, file.Path, "image outside the layout's folders; ignored");
        }
    }
}
