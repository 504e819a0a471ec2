using SkiaSharp;

namespace UniAD.Core.Data.Demo;

/// <summary>The demo categories: five textures and three objects, each with three or four defect types.</summary>
internal static class DemoCategories
{
    public static readonly DemoCategory Fabric = new("fabric", new SKColor(70, 90, 140), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            float pitch = look.Size / 24f;
            using var warp = Stroke(look.Shade(new SKColor(95, 118, 170)), pitch * 0.45f);
            using var weft = Stroke(look.Shade(new SKColor(55, 72, 120)), pitch * 0.45f);
            for (float p = -look.Size; p < 2 * look.Size; p += pitch)
            {
                c.DrawLine(p, -look.Size, p, 2 * look.Size, warp);
                for (float q = -look.Size + (p / pitch % 2 == 0 ? 0 : pitch); q < 2 * look.Size; q += 2 * pitch)
                    c.DrawLine(p - pitch * 0.5f, q, p + pitch * 0.5f, q, weft);
            }
        });
    }, [DemoDefects.Scratch, DemoDefects.Hole, DemoDefects.Stain, DemoDefects.BrokenThread]);

    public static readonly DemoCategory Wood = new("wood", new SKColor(150, 105, 60), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            for (int line = 0; line < 40; line++)
            {
                using var grain = Stroke(look.Shade(new SKColor(120, 80, 45, (byte)r.Next(90, 200))), 1 + r.NextSingle() * 2.5f);
                using var path = new SKPath();
                float y = line * look.Size / 36f + r.NextSingle() * 4, phase = r.NextSingle() * 6, amplitude = 2 + r.NextSingle() * 4;
                path.MoveTo(-10, y);
                for (float x = -10; x <= look.Size + 10; x += 4)
                    path.LineTo(x, y + amplitude * MathF.Sin(x / look.Size * 6 + phase));
                c.DrawPath(path, grain);
            }
        });
    }, [DemoDefects.Crack, DemoDefects.Scratch, DemoDefects.ColourDefect]);

    public static readonly DemoCategory Tile = new("tile", new SKColor(200, 200, 195), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            float cell = look.Size / 4f;
            for (int i = -1; i < 5; i++)
            for (int j = -1; j < 5; j++)
            {
                int v = r.Next(-10, 11);
                using var fill = Fill(look.Shade(new SKColor((byte)(150 + v), (byte)(155 + v), (byte)(165 + v))));
                c.DrawRoundRect(i * cell + 3, j * cell + 3, cell - 6, cell - 6, 4, 4, fill);
                using var speckle = Fill(look.Shade(new SKColor(120, 125, 135)));
                for (int s = 0; s < 12; s++)
                    c.DrawCircle(i * cell + 6 + r.NextSingle() * (cell - 12), j * cell + 6 + r.NextSingle() * (cell - 12), 1.2f, speckle);
            }
        });
    }, [DemoDefects.Crack, DemoDefects.Contamination, DemoDefects.Hole]);

    public static readonly DemoCategory Mesh = new("mesh", new SKColor(185, 185, 185), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            float pitch = look.Size / 12f;
            using var wire = Stroke(look.Shade(new SKColor(60, 60, 65)), pitch * 0.18f);
            for (float p = -look.Size; p < 2 * look.Size; p += pitch)
            {
                c.DrawLine(p, -look.Size, p, 2 * look.Size, wire);
                c.DrawLine(-look.Size, p, 2 * look.Size, p, wire);
            }
        });
    }, [DemoDefects.BentWire, DemoDefects.Contamination, DemoDefects.Scratch]);

    /// <summary>Leather: a fractal grain with a few soft creases, all at near-constant colour.</summary>
    public static readonly DemoCategory Leather = new("leather", new SKColor(120, 72, 40), (c, look, r) =>
    {
        int seed = r.Next();
        using var grain = new SKBitmap(look.Size, look.Size, SKColorType.Rgba8888, SKAlphaType.Premul);
        var pixels = grain.GetPixelSpan();
        var baseColour = look.Shade(new SKColor(120, 72, 40));
        for (int y = 0; y < look.Size; y++)
        for (int x = 0; x < look.Size; x++)
        {
            float n = DemoNoise.Fractal(x / 6f, y / 6f, seed, 4), pore = DemoNoise.Value(x / 1.5f, y / 1.5f, seed + 7);
            float shade = 0.82f + 0.3f * n - (pore > 0.8f ? 0.12f : 0);
            int i = (y * look.Size + x) * 4;
            pixels[i] = (byte)Math.Clamp(baseColour.Red * shade, 0, 255);
            pixels[i + 1] = (byte)Math.Clamp(baseColour.Green * shade, 0, 255);
            pixels[i + 2] = (byte)Math.Clamp(baseColour.Blue * shade, 0, 255);
            pixels[i + 3] = 255;
        }
        Transformed(c, look, () => c.DrawBitmap(grain, 0, 0));
    }, [DemoDefects.Fold, DemoDefects.Poke, DemoDefects.ColourDefect]);

    public static readonly DemoCategory BottleCap = new("bottle_cap", new SKColor(30, 30, 35), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            float centre = look.Size / 2f, radius = look.Size * 0.36f;
            using var body = Fill(look.Shade(new SKColor(190, 40, 40)));
            c.DrawCircle(centre, centre, radius, body);
            using var ridge = Stroke(look.Shade(new SKColor(140, 25, 25)), 2);
            for (int k = 0; k < 36; k++)
            {
                float a = k * MathF.PI * 2 / 36;
                c.DrawLine(centre + MathF.Cos(a) * radius * 0.88f, centre + MathF.Sin(a) * radius * 0.88f,
                           centre + MathF.Cos(a) * radius, centre + MathF.Sin(a) * radius, ridge);
            }
            using var ring = Stroke(look.Shade(new SKColor(230, 200, 200)), 3);
            c.DrawCircle(centre, centre, radius * 0.55f, ring);
        });
    }, [DemoDefects.Scratch, DemoDefects.ColourDefect, DemoDefects.MissingPart(0.36f)]);

    public static readonly DemoCategory Nut = new("nut", new SKColor(225, 225, 220), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            float centre = look.Size / 2f, radius = look.Size * 0.34f;
            c.RotateDegrees(r.NextSingle() * 60, centre, centre);          // hexagons repeat every 60°
            using var hexagon = new SKPath();
            for (int k = 0; k < 6; k++)
            {
                float a = k * MathF.PI / 3;
                var p = new SKPoint(centre + MathF.Cos(a) * radius, centre + MathF.Sin(a) * radius);
                if (k == 0) hexagon.MoveTo(p); else hexagon.LineTo(p);
            }
            hexagon.Close();
            using var metal = Fill(look.Shade(new SKColor(130, 130, 140)));
            c.DrawPath(hexagon, metal);
            using var hole = Fill(look.Shade(look.Background));
            c.DrawCircle(centre, centre, radius * 0.45f, hole);
            using var thread = Stroke(look.Shade(new SKColor(95, 95, 105)), 2);
            c.DrawCircle(centre, centre, radius * 0.5f, thread);
        });
    }, [DemoDefects.MissingPart(0.34f * 0.866f), DemoDefects.Crack, DemoDefects.Contamination]);

    /// <summary>A screw lying in any orientation: head, threaded shaft and pointed tip (geometry in <see cref="ScrewShape"/>).</summary>
    public static readonly DemoCategory Screw = new("screw", new SKColor(215, 215, 210), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            var s = new ScrewShape(look);
            c.RotateDegrees(look.Orientation, s.Centre, s.Centre);
            using var metal = Fill(look.Shade(new SKColor(150, 150, 155)));
            using var dark = Fill(look.Shade(new SKColor(105, 105, 112)));
            c.DrawRoundRect(s.HeadLeft, s.Centre - s.HeadHalfHeight, s.HeadLength, 2 * s.HeadHalfHeight, 3, 3, dark);
            c.DrawRect(s.ShaftLeft, s.Centre - s.ShaftHalfHeight, s.ShaftLength, 2 * s.ShaftHalfHeight, metal);
            using var tip = s.Tip();
            c.DrawPath(tip, metal);
            using var thread = Stroke(look.Shade(new SKColor(95, 95, 102)), 1.2f);
            for (float x = s.ShaftLeft + s.ThreadPitch / 2; x < s.ShaftRight; x += s.ThreadPitch)
                c.DrawLine(x, s.Centre - s.ShaftHalfHeight, x + s.ThreadPitch * 0.6f, s.Centre + s.ShaftHalfHeight, thread);
            using var slot = Stroke(look.Shade(new SKColor(60, 60, 66)), 2);
            c.DrawLine(s.HeadLeft + s.HeadLength * 0.5f, s.Centre - s.HeadHalfHeight * 0.7f, s.HeadLeft + s.HeadLength * 0.5f, s.Centre + s.HeadHalfHeight * 0.7f, slot);
        });
    }, [DemoDefects.ThreadDamage, DemoDefects.HeadScratch, DemoDefects.MissingTip]);

    /// <summary>Draws with this image's small shift and rotation about the centre.</summary>
    private static void Transformed(SKCanvas c, DemoLook look, Action draw)
    {
        c.Save();
        c.Translate(look.ShiftX, look.ShiftY);
        c.RotateDegrees(look.Rotation, look.Size / 2f, look.Size / 2f);
        draw();
        c.Restore();
    }

    /// <summary>Where a screw's parts lie, before its rotation about the image centre: along the x axis.</summary>
    internal sealed record ScrewShape(DemoLook Look)
    {
        public float Centre => Look.Size / 2f;
        public float HeadLeft => Centre - Look.Size * 0.31f;
        public float HeadLength => Look.Size * 0.12f;
        public float HeadHalfHeight => Look.Size * 0.09f;
        public float ShaftLeft => HeadLeft + HeadLength;
        public float ShaftRight => Centre + Look.Size * 0.23f;
        public float ShaftLength => ShaftRight - ShaftLeft;
        public float ShaftHalfHeight => Look.Size * 0.045f;
        public float TipEnd => Centre + Look.Size * 0.31f;
        public float ThreadPitch => Look.Size * 0.03f;

        public SKPath Tip()
        {
            var path = new SKPath();
            path.MoveTo(ShaftRight, Centre - ShaftHalfHeight);
            path.LineTo(TipEnd, Centre);
            path.LineTo(ShaftRight, Centre + ShaftHalfHeight);
            path.Close();
            return path;
        }

        /// <summary>Puts <paramref name="canvas"/> (already shifted with the image) into the screw's rotated frame.</summary>
        public void Enter(SKCanvas canvas)
        {
            canvas.Save();
            canvas.RotateDegrees(Look.Rotation + Look.Orientation, Centre, Centre);
        }
    }

    internal static SKPaint Stroke(SKColor color, float width) =>
        new() { Color = color, Style = SKPaintStyle.Stroke, StrokeWidth = width, IsAntialias = true, StrokeCap = SKStrokeCap.Round };

    internal static SKPaint Fill(SKColor color) => new() { Color = color, Style = SKPaintStyle.Fill, IsAntialias = true };
}
