from ninja import Router

router = Router(tags=["台账"])
