"""Oversight (督查考核): supervision orders (督办), inspections and rectification (督查整改), the
assessment (考核) computed from the data, rankings and lists, commendation and accountability, and the
weekly bulletin (工作通报). It sits on the floor above the campaign and the other apps: it judges them."""
