package org.nnc.train;

import java.awt.BasicStroke;
import java.awt.Color;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The PNG of a run's history, drawn with JFreeChart. */
final class HistoryPlot {
    private HistoryPlot() {}

    static void write(List<History.Epoch> epochs, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeries tl = new XYSeries("training loss"), vl = new XYSeries("validation loss");
        XYSeries ta = new XYSeries("training accuracy"), va = new XYSeries("validation accuracy");
        for (History.Epoch e : epochs) {
            if (!Double.isNaN(e.trainLoss())) tl.add(e.epoch(), e.trainLoss());
            if (!Double.isNaN(e.valLoss())) vl.add(e.epoch(), e.valLoss());
            if (!Double.isNaN(e.trainAccuracy())) ta.add(e.epoch(), e.trainAccuracy());
            if (!Double.isNaN(e.valAccuracy())) va.add(e.epoch(), e.valAccuracy());
        }
        XYSeriesCollection losses = new XYSeriesCollection();
        losses.addSeries(tl);
        if (vl.getItemCount() > 0) losses.addSeries(vl);
        JFreeChart chart = ChartFactory.createXYLineChart("Training", "epoch", "loss", losses, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        XYLineAndShapeRenderer lossRenderer = new XYLineAndShapeRenderer(true, false);
        lossRenderer.setSeriesPaint(0, new Color(0x1f77b4));
        lossRenderer.setSeriesPaint(1, new Color(0xff7f0e));
        lossRenderer.setDefaultStroke(new BasicStroke(2f));
        plot.setRenderer(0, lossRenderer);
        if (ta.getItemCount() > 0) {
            XYSeriesCollection acc = new XYSeriesCollection();
            acc.addSeries(ta);
            if (va.getItemCount() > 0) acc.addSeries(va);
            NumberAxis accAxis = new NumberAxis("accuracy");
            accAxis.setRange(0, 1.0);
            plot.setRangeAxis(1, accAxis);
            plot.setDataset(1, acc);
            plot.mapDatasetToRangeAxis(1, 1);
            XYLineAndShapeRenderer accRenderer = new XYLineAndShapeRenderer(true, false);
            accRenderer.setSeriesPaint(0, new Color(0x2ca02c));
            accRenderer.setSeriesPaint(1, new Color(0xd62728));
            accRenderer.setSeriesStroke(0, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
            accRenderer.setSeriesStroke(1, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
            plot.setRenderer(1, accRenderer);
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(bytes, chart, 900, 500);
        org.nnc.io.AtomicFiles.write(png, bytes.toByteArray());
    }
}
