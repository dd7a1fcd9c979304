"""The teaching page and classroom mode, served with Solara.

Apart from the pages, nothing here imports Solara:

* :mod:`model.viz.snapshot`: immutable pictures of a running place;
* :mod:`model.viz.charts`: the charts (SVG, drawn once per update) and the network picture;
* :mod:`model.viz.clock`: the clock that steps a place and the store that publishes to pages;
* :mod:`model.viz.classroom`: the classroom game (join code, teams, decision windows, the
  students' policy, the record and its replay);
* :mod:`model.viz.debrief`: the reference runs and the debrief's figures;
* :mod:`model.viz.levers`: where organisations' levers plug in.

The pages: :mod:`model.viz.page` (``lhe viz``, one place per browser session) and
:mod:`model.viz.classpages` (``lhe class``: teacher, projector and student pages),
both built from :mod:`model.viz.components`. Importing any of them builds no model.
"""
