package io.llmopt.eval.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import java.text.DecimalFormat;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's PNG charts, drawn headless with JFreeChart. */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 560;
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * Size–quality scatter of the variants: file size (MB) against mean KLD vs the base (log scale), each point
     * labelled, the Pareto front (no other variant both smaller and closer to the base) joined by a line.
     * Returns null when no variant has a positive KLD.
     */
    static byte[] qualityVsSize(Comparison c) {
        List<ComparisonEntry> points = new ArrayList<>();
        for (ComparisonEntry e : c.entries().subList(1, c.entries().size())) {
            if (e.kldMean() > 0) {
                points.add(e);
            }
        }
        if (points.isEmpty()) {
            return null;
        }
        points.sort(Comparator.comparingLong(ComparisonEntry::fileBytes));
        XYSeries all = new XYSeries("variants", false);
        XYSeries front = new XYSeries("Pareto front", false);
        double best = Double.MAX_VALUE;
        for (ComparisonEntry e : points) {
            all.add(e.fileBytes() / 1e6, e.kldMean());
            if (e.kldMean() < best) {
                best = e.kldMean();
                front.add(e.fileBytes() / 1e6, e.kldMean());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(all);
        data.addSeries(front);
        ComparisonEntry base = c.entries().get(0);
        JFreeChart chart = ChartFactory.createXYLineChart("Size vs quality (lower left is better)", "file size (MB)",
                "mean KL divergence vs " + shortLabel(base.label(), c) + " (nats, log scale)", data, PlotOrientation.VERTICAL, true, false, false);
        chart.addSubtitle(new org.jfree.chart.title.TextTitle(String.format("%s, -c %d, %d scored tokens; base %s: %.1f MB, PPL %.4f",
                c.text(), c.ctx(), c.tokensScored(), shortLabel(base.label(), c), base.fileBytes() / 1e6, base.ppl()), LABEL));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        LogAxis log = new LogAxis(plot.getRangeAxis().getLabel());
        log.setTickUnit(new NumberTickUnit(1)); // one tick per power of ten, labelled as plain decimals
        log.setNumberFormatOverride(new DecimalFormat("0.#######"));
        log.setMinorTickMarksVisible(true);
        log.setLabelFont(LABEL);
        log.setTickLabelFont(LABEL);
        plot.setRangeAxis(log);
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        plot.getDomainAxis().setLabelFont(LABEL);
        plot.getDomainAxis().setTickLabelFont(LABEL);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesLinesVisible(0, false);
        r.setSeriesShapesVisible(0, true);
        r.setSeriesPaint(0, new Color(0x1f77b4));
        r.setSeriesLinesVisible(1, true);
        r.setSeriesShapesVisible(1, false);
        r.setSeriesPaint(1, new Color(0xd62728));
        r.setSeriesStroke(1, new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
        r.setSeriesItemLabelsVisible(0, true);
        r.setSeriesItemLabelGenerator(0, (dataset, series, item) -> shortLabel(points.get(item).label(), c));
        r.setSeriesItemLabelFont(0, LABEL);
        r.setSeriesPositiveItemLabelPosition(0, new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_LEFT));
        plot.setRenderer(r);
        return png(chart);
    }

    /**
     * Prompt-processing (top) and generation (bottom) speed per model in tokens/s, each with its own scale so the
     * much smaller generation figures stay readable. Null when speed was not measured.
     */
    static byte[] speed(Comparison c) {
        DefaultCategoryDataset pp = new DefaultCategoryDataset();
        DefaultCategoryDataset tg = new DefaultCategoryDataset();
        for (ComparisonEntry e : c.entries()) {
            if (Double.isNaN(e.tgTokensPerSecond())) {
                return null;
            }
            pp.addValue(e.ppTokensPerSecond(), "prompt processing", shortLabel(e.label(), c));
            tg.addValue(e.tgTokensPerSecond(), "generation", shortLabel(e.label(), c));
        }
        CategoryAxis models = new CategoryAxis("model");
        models.setTickLabelFont(LABEL);
        models.setLabelFont(LABEL);
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(models);
        plot.add(bars(pp, "pp tokens/s", new Color(0x1f77b4)), 1);
        plot.add(bars(tg, "tg tokens/s", new Color(0xff7f0e)), 1);
        JFreeChart chart = new JFreeChart("Speed (higher is better)", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new org.jfree.chart.title.TextTitle(String.format(
                "%d threads; pp = one forward pass over the prompt, tg = one token per forward pass", c.threads()), LABEL));
        return png(chart);
    }

    private static CategoryPlot bars(DefaultCategoryDataset data, String axis, Color color) {
        NumberAxis range = new NumberAxis(axis);
        range.setLabelFont(LABEL);
        range.setTickLabelFont(LABEL);
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setSeriesPaint(0, color);
        r.setMaximumBarWidth(0.08);
        r.setDefaultItemLabelGenerator(new org.jfree.chart.labels.StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("0")));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelFont(LABEL);
        CategoryPlot p = new CategoryPlot(data, null, range, r);
        p.setBackgroundPaint(Color.WHITE);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        range.setUpperMargin(0.15);
        return p;
    }

    /** A model's label without the prefix and suffix all labels share (e.g. "ref-tinystories-" and ".gguf"). */
    static String shortLabel(String label, Comparison c) {
        List<String> labels = c.entries().stream().map(ComparisonEntry::label).toList();
        if (labels.size() < 2) {
            return label;
        }
        String prefix = labels.get(0);
        String suffix = labels.get(0);
        for (String l : labels) {
            while (!l.startsWith(prefix)) {
                prefix = prefix.substring(0, prefix.length() - 1);
            }
            while (!l.endsWith(suffix)) {
                suffix = suffix.substring(1);
            }
        }
        int end = label.length() - suffix.length();
        return end > prefix.length() ? label.substring(prefix.length(), end) : label;
    }

    static byte[] png(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
