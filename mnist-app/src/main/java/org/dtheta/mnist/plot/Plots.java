package org.dtheta.mnist.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.dtheta.nn.io.AtomicFiles;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts of the tool's results (JFreeChart, headless): curves along a trajectory with an
 * optional reference line, and heat maps of matrix blocks. Files are written atomically.
 */
public final class Plots {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 560;
  /** Heat maps larger than this many cells a side are averaged down to it. */
  private static final int MAX_CELLS = 400;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Plots() {}

  /**
   * One named curve.
   *
   * @param name legend entry
   * @param x abscissae
   * @param y ordinates (NaN leaves a gap)
   */
  public record Series(String name, double[] x, double[] y) {
    /** Checks that both coordinates have the same length. */
    public Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException(
            "series '" + name + "' has " + x.length + " x and " + y.length + " y values");
      }
    }
  }

  /**
   * A horizontal reference line.
   *
   * @param value where
   * @param label what it is (e.g. "2/alpha = 20")
   */
  public record Reference(double value, String label) {}

  /**
   * Curves against a common abscissa, with optional horizontal references, to {@code png}.
   * {@code logY} plots the ordinate on a log scale (only positive values are drawn; the others
   * leave gaps).
   */
  public static void lines(
      Path png,
      String title,
      String xLabel,
      String yLabel,
      List<Series> series,
      List<Reference> references,
      boolean logY)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      XYSeries xy = new XYSeries(s.name(), false, true);
      for (int i = 0; i < s.x().length; i++) {
        // a value a log axis cannot show leaves a gap, as NaN does, rather than a line across it
        boolean drawable = Double.isFinite(s.y()[i]) && (!logY || s.y()[i] > 0);
        xy.add(s.x()[i], drawable ? s.y()[i] : Double.NaN);
      }
      data.addSeries(xy);
    }
    NumberAxis xAxis = new NumberAxis(xLabel);
    xAxis.setAutoRangeIncludesZero(false);
    ValueAxis yAxis;
    if (logY) {
      yAxis = new LogAxis(yLabel);
    } else {
      NumberAxis linear = new NumberAxis(yLabel);
      linear.setAutoRangeIncludesZero(false);
      yAxis = linear;
    }
    boolean fewPoints = series.stream().allMatch(s -> s.x().length <= 40);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, fewPoints);
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
    for (Reference r : references) {
      ValueMarker marker = new ValueMarker(r.value(), Color.DARK_GRAY,
          new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
      marker.setLabel(r.label());
      marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      marker.setLabelOffset(new RectangleInsets(8, 10, 8, 10));
      marker.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
      marker.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT);
      plot.addRangeMarker(marker);
      // keep the reference line in view even when the curves stay far from it
      data.addSeries(invisibleAnchor(series, r.value(), data.getSeriesCount()));
      renderer.setSeriesVisible(data.getSeriesCount() - 1, false, false);
      renderer.setSeriesVisibleInLegend(data.getSeriesCount() - 1, false, false);
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    save(png, new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, series.size() > 1));
  }

  /** A hidden one-point series that makes the axis range include {@code y}. */
  private static XYSeries invisibleAnchor(List<Series> series, double y, int index) {
    XYSeries anchor = new XYSeries("reference " + index);
    double x = series.isEmpty() || series.get(0).x().length == 0 ? 0 : series.get(0).x()[0];
    anchor.add(x, y);
    return anchor;
  }

  /**
   * A heat map of the {@code rows x cols} row-major matrix {@code m} on a diverging blue-white-red
   * scale symmetric about 0; blocks larger than 400 cells a side are shown as averages of
   * neighbouring entries.
   */
  public static void heatMap(
      Path png, String title, double[] m, int rows, int cols, String rowLabel, String colLabel)
      throws IOException {
    int r = Math.min(rows, MAX_CELLS);
    int c = Math.min(cols, MAX_CELLS);
    double[] cells = new double[r * c];
    int[] counts = new int[r * c];
    for (int i = 0; i < rows; i++) {
      int ci = (int) ((long) i * r / rows);
      for (int j = 0; j < cols; j++) {
        int cj = (int) ((long) j * c / cols);
        cells[ci * c + cj] += m[i * cols + j];
        counts[ci * c + cj]++;
      }
    }
    double[][] xyz = new double[3][r * c];
    double max = 0;
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        int k = i * c + j;
        double v = cells[k] / counts[k];
        xyz[0][k] = (j + 0.5) * cols / c;
        xyz[1][k] = (i + 0.5) * rows / r;
        xyz[2][k] = v;
        if (Double.isFinite(v)) {
          max = Math.max(max, Math.abs(v));
        }
      }
    }
    if (max == 0) {
      max = 1;
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("block", xyz);
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setBlockWidth((double) cols / c);
    renderer.setBlockHeight((double) rows / r);
    LookupPaintScale scale = new LookupPaintScale(-max, max, Color.GRAY);
    int steps = 101;
    for (int s = 0; s < steps; s++) {
      double t = (double) s / (steps - 1); // 0 blue .. 0.5 white .. 1 red
      scale.add(-max + 2 * max * t, diverging(t));
    }
    renderer.setPaintScale(scale);
    NumberAxis xAxis = new NumberAxis(colLabel);
    xAxis.setRange(0, cols);
    NumberAxis yAxis = new NumberAxis(rowLabel);
    yAxis.setRange(0, rows);
    yAxis.setInverted(true); // row 0 at the top, as matrices are printed
    XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    NumberAxis legendAxis = new NumberAxis();
    legendAxis.setRange(-max, max);
    PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(new RectangleInsets(10, 10, 10, 10));
    legend.setStripWidth(15);
    chart.addSubtitle(legend);
    save(png, chart);
  }

  private static Color diverging(double t) {
    if (t < 0.5) {
      float f = (float) (t / 0.5);
      return new Color(f, f, 1f);
    }
    float f = (float) ((1 - t) / 0.5);
    return new Color(1f, f, f);
  }

  private static void save(Path png, JFreeChart chart) throws IOException {
    chart.setBackgroundPaint(Color.WHITE);
    // No ImageIO disk cache: it writes temporary files of its own, and on a full disk its
    // shutdown hook fails with a stack trace after the error has been reported.
    javax.imageio.ImageIO.setUseCache(false);
    AtomicFiles.write(png, out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
  }
}
